import { checkCedula, normaliseCedulaInput } from '../../domain/cedula.ts';
import { cedulaRef, dummySeed, issueToken } from '../../domain/tokens.ts';
import type { ClientInfo, RecoveryContext } from '../recovery/context.ts';
import { later } from '../recovery/context.ts';
import { JourneyError } from '../recovery/journey-error.ts';
import { noticeOfLock } from './lock-notice.ts';
import type { LoginStore } from './login-ports.ts';
import { Overloaded } from '../ports.ts';

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
 * a dummy hash when there is nothing real. Attempts are counted for every cédula, before
 * the clave is checked, so the locked answer (CLV-040) comes after LOGIN_MAX_FAILURES
 * whether or not the cédula exists, and parallel guesses cannot share one count.
 */
export async function login(ctx: RecoveryContext, logins: LoginStore, cedulaInput: unknown, password: unknown, client: ClientInfo): Promise<StartedSession> {
  const ip = await ctx.throttle.consume('login_ip', client.ip ?? 'unknown');
  if (!ip.allowed) throw new JourneyError('CLV-043', { retryAfterSeconds: ip.retryAfterSeconds });
  const cedula = typeof cedulaInput === 'string' ? normaliseCedulaInput(cedulaInput) : '';
  if (!checkCedula(cedula).ok) throw new JourneyError('CLV-001');
  const clave = typedClave(password);
  const ref = cedulaRef(ctx.secret, cedula);
  const { account, attempts } = await logins.claim(cedula, ref, ctx.clock());
  // Without a clave stored, a dummy: under the settings this cédula's seed is given (domain/dummy-layout.ts).
  const against = account?.passwordHash ? { hash: account.passwordHash } : { dummySeed: dummySeed(ctx.secret, cedula) };
  const matches = await verified(ctx, logins, ref, against, clave, client.hangUp);
  const now = ctx.clock();
  const audit = { event: 'login', cedula, ip: client.ip, userAgent: client.userAgent, at: now };
  const max = ctx.limits.loginMaxFailures;
  if (attempts > max) {
    await logins.refuseLocked(ref, audit);
    throw new JourneyError('CLV-040');
  }
  // An account locked some other way ("No fui yo") answers as any wrong attempt until the
  // count reaches the limit: a locked answer on the first try would tell it from an unknown cédula.
  if (!matches || account?.status !== 'active') {
    const locksNow = attempts === max;
    await logins.fail(ref, locksNow, audit);
    if (!locksNow) throw new JourneyError('CLV-041');
    if (account?.passwordHash) noticeOfLock(ctx, logins, cedula, ref, now);
    throw new JourneyError('CLV-040');
  }
  const { token, hash } = issueToken();
  const absoluteExpiresAt = later(now, ctx.limits.sessionAbsoluteTtlMs);
  const session = { cedula, createdAt: now, idleExpiresAt: later(now, ctx.limits.sessionIdleTtlMs), absoluteExpiresAt, ip: client.ip, userAgent: client.userAgent };
  // The clave verified may have been changed, or the account locked, while it was checked.
  if (!(await logins.succeed(ref, account.claveVersion, hash, session, audit))) throw new JourneyError('CLV-041');
  upgradeHash(ctx, logins, cedula, account.passwordHash!, clave);
  return { token, cedula, absoluteExpiresAt };
}

/** What was typed as a clave, as it was hashed: NFC, and never longer than a clave may be. */
export function typedClave(password: unknown): string {
  return typeof password === 'string' ? password.slice(0, MAX_PASSWORD_CHARS).normalize('NFC') : '';
}

/**
 * The one argon2id verification. An attempt shed for overload (CLV-090) or dropped because
 * its client hung up while it waited is not counted: its clave was never checked.
 */
export async function verified(ctx: RecoveryContext, logins: LoginStore, ref: Buffer, against: { hash: string } | { dummySeed: Buffer }, clave: string, hangUp?: AbortSignal): Promise<boolean> {
  try {
    return 'hash' in against ? await ctx.hasher.verify(against.hash, clave, hangUp) : await ctx.hasher.verifyDummy(clave, against.dummySeed, hangUp);
  } catch (error) {
    if (error instanceof Overloaded) await logins.unclaim(ref);
    throw error;
  }
}

/**
 * A clave hashed under older argon2id settings is hashed again with the current ones
 * while it is at hand (only at sign-in is it ever known), so raising ARGON2_* reaches
 * every active account without a reset. After the answer: the sign-in does not wait.
 */
function upgradeHash(ctx: RecoveryContext, logins: LoginStore, cedula: string, stored: string, clave: string): void {
  if (!ctx.hasher.needsRehash(stored)) return;
  ctx.background.run(async () => logins.rehash(cedula, stored, await ctx.hasher.hash(clave)));
}
