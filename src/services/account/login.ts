import { checkCedula, normaliseCedulaInput } from '../../domain/cedula.ts';
import { cedulaRef, issueToken } from '../../domain/tokens.ts';
import type { ClientInfo, RecoveryContext } from '../recovery/context.ts';
import { later } from '../recovery/context.ts';
import { JourneyError } from '../recovery/journey-error.ts';
import type { Locale } from '../recovery-ports.ts';
import { noticeOfLock } from './lock-notice.ts';
import type { LoginStore } from './login-ports.ts';

export interface StartedSession {
  /** For the cookie or the API client; only its hash is stored. */
  token: string;
  cedula: string;
  absoluteExpiresAt: Date;
}

const MAX_PASSWORD_CHARS = 1024;

/**
 * Ingresar. A wrong clave, an unknown cédula and an affiliate without a clave get the
 * same answer (CLV-041) after the same work: exactly one argon2id verification, against
 * a dummy hash when there is nothing real. Failures are counted for every cédula, so
 * the locked answer (CLV-040) comes after LOGIN_MAX_FAILURES whether or not it exists.
 */
export async function login(ctx: RecoveryContext, logins: LoginStore, cedulaInput: unknown, password: unknown, client: ClientInfo, locale: Locale): Promise<StartedSession> {
  const ip = await ctx.throttle.consume('login_ip', client.ip ?? 'unknown');
  if (!ip.allowed) throw new JourneyError('CLV-043', ip.retryAfterSeconds);
  const cedula = typeof cedulaInput === 'string' ? normaliseCedulaInput(cedulaInput) : '';
  if (!checkCedula(cedula).ok) throw new JourneyError('CLV-001');
  const clave = typeof password === 'string' ? password.slice(0, MAX_PASSWORD_CHARS).normalize('NFC') : '';
  const ref = cedulaRef(ctx.secret, cedula);
  const { account, failures } = await logins.state(cedula, ref);
  const matches = account?.passwordHash ? await ctx.hasher.verify(account.passwordHash, clave) : await ctx.hasher.verifyDummy(clave);
  const now = ctx.clock();
  const audit = { event: 'login', cedula, ip: client.ip, userAgent: client.userAgent, at: now };
  if (account?.status === 'locked' || failures >= ctx.limits.loginMaxFailures) {
    await logins.refuseLocked(ref, audit);
    throw new JourneyError('CLV-040');
  }
  if (!matches || account?.status !== 'active') {
    const count = await logins.fail(ref, ctx.limits.loginMaxFailures, audit);
    if (count < ctx.limits.loginMaxFailures) throw new JourneyError('CLV-041');
    // Told once, when this attempt locked a real account; later refusals stay silent.
    if (count === ctx.limits.loginMaxFailures && account?.passwordHash) noticeOfLock(ctx, cedula, locale, now);
    throw new JourneyError('CLV-040');
  }
  const { token, hash } = issueToken();
  const absoluteExpiresAt = later(now, ctx.limits.sessionAbsoluteTtlMs);
  const session = { cedula, createdAt: now, idleExpiresAt: later(now, ctx.limits.sessionIdleTtlMs), absoluteExpiresAt, ip: client.ip, userAgent: client.userAgent };
  await logins.succeed(ref, hash, session, audit);
  await upgradeHash(ctx, logins, cedula, account.passwordHash!, clave);
  return { token, cedula, absoluteExpiresAt };
}

/**
 * A clave hashed under older argon2id settings is hashed again with the current ones
 * while it is at hand (only at sign-in is it ever known), so raising ARGON2_* reaches
 * every active account without a reset.
 */
async function upgradeHash(ctx: RecoveryContext, logins: LoginStore, cedula: string, stored: string, clave: string): Promise<void> {
  if (!ctx.hasher.needsRehash(stored)) return;
  await logins.rehash(cedula, stored, await ctx.hasher.hash(clave));
}
