import type { Locale } from '../recovery-ports.ts';
import type { RecoveryContext } from '../recovery/context.ts';
import { queueMail } from '../recovery/mail.ts';

/**
 * Tells the owner that Ingresar locked their account, on every registered channel (a
 * security notice, like a changed clave). It runs after the answer, so a cédula with an
 * inbox costs the attempt no more time than one without: the answer reveals nothing.
 */
export function noticeOfLock(ctx: RecoveryContext, cedula: string, locale: Locale, at: Date): void {
  ctx.background.run(async () => {
    const affiliate = await ctx.storage.stores.registry.affiliate(cedula);
    if (!affiliate) return;
    const notice = { type: 'account_locked' as const, at, attempts: ctx.limits.loginMaxFailures };
    const queued = await ctx.storage.transaction((stores) => queueMail(ctx, stores, affiliate, notice, locale, { category: 'security' }));
    if (queued) ctx.onMailQueued?.();
  });
}
