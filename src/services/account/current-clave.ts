import { cedulaRef } from '../../domain/tokens.ts';
import type { ClientInfo, RecoveryContext } from '../recovery/context.ts';
import { JourneyError } from '../recovery/journey-error.ts';
import { noticeOfLock } from './lock-notice.ts';
import { typedClave, verified } from './login.ts';
import type { LoginStore } from './login-ports.ts';
import type { ActiveSession } from './my-account.ts';

/**
 * Mi cuenta asks for the current clave before a change. A wrong one counts as a wrong
 * sign-in: a stolen session must not become a way round LOGIN_MAX_FAILURES. The attempt
 * that reaches the limit locks the account, as at Ingresar, tells the owner, and ends the
 * session that made it. Returns the clave's version when it is right; when it is wrong,
 * how many failures in a row are left before the lock (the session holder is told).
 */
export async function checkCurrentClave(ctx: RecoveryContext, logins: LoginStore, active: ActiveSession, typed: unknown, client: ClientInfo): Promise<{ version: number } | { triesLeft: number }> {
  const { cedula } = active.session;
  const ref = cedulaRef(ctx.secret, cedula);
  const { account, attempts } = await logins.claim(cedula, ref, ctx.clock());
  const audit = { event: 'current_clave', cedula, ip: client.ip, userAgent: client.userAgent, at: ctx.clock() };
  const max = ctx.limits.loginMaxFailures;
  if (!account?.passwordHash || account.status !== 'active' || attempts > max) {
    await logins.refuseLocked(ref, audit);
    throw new JourneyError('CLV-040');
  }
  if (await verified(ctx, logins, ref, { hash: account.passwordHash }, typedClave(typed), client.hangUp)) {
    await logins.reset(ref);
    return { version: account.claveVersion };
  }
  const locksNow = attempts === max;
  await logins.fail(ref, locksNow, audit);
  if (!locksNow) return { triesLeft: max - attempts };
  noticeOfLock(ctx, logins, cedula, ref, audit.at);
  await ctx.storage.stores.sessions.revoke(active.idHash, audit.at);
  throw new JourneyError('CLV-040');
}
