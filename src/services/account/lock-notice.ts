import type { RecoveryContext } from '../recovery/context.ts';
import { queueMail } from '../recovery/mail.ts';
import type { LoginStore } from './login-ports.ts';

const DAY_MS = 24 * 3600_000;

/**
 * Tells the owner that Ingresar locked their account, on every registered channel (a
 * security notice, like a changed clave), at most once a day: whoever locks it again and
 * again cannot turn it into a flood of mail and SMS. It runs after the answer, so a cédula
 * with an inbox costs the attempt no more time than one without. In Spanish: the attempt's
 * language is the guesser's, not necessarily the owner's.
 */
export function noticeOfLock(ctx: RecoveryContext, logins: LoginStore, cedula: string, cedulaRef: Buffer, at: Date): void {
  ctx.background.run(async () => {
    // This lock is already recorded: any other in the last day means the owner was told.
    if ((await logins.locksSince(cedulaRef, new Date(at.getTime() - DAY_MS))) > 1) return;
    const affiliate = await ctx.storage.stores.registry.affiliate(cedula);
    if (!affiliate) return;
    const notice = { type: 'account_locked' as const, at, attempts: ctx.limits.loginMaxFailures };
    const queued = await ctx.storage.transaction((stores) => queueMail(ctx, stores, affiliate, notice, 'es', { category: 'security' }));
    if (queued) ctx.onMailQueued?.();
  });
}
