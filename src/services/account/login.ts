import { checkCedula, normaliseCedulaInput } from '../../domain/cedula.ts';
import { cedulaRef, issueToken } from '../../domain/tokens.ts';
import type { ClientInfo, RecoveryContext } from '../recovery/context.ts';
import { later } from '../recovery/context.ts';
import { JourneyError } from '../recovery/journey-error.ts';

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
export async function login(ctx: RecoveryContext, cedulaInput: unknown, password: unknown, client: ClientInfo): Promise<StartedSession> {
  const ip = await ctx.throttle.consume('login_ip', client.ip ?? 'unknown');
  if (!ip.allowed) throw new JourneyError('CLV-043', ip.retryAfterSeconds);
  const cedula = typeof cedulaInput === 'string' ? normaliseCedulaInput(cedulaInput) : '';
  if (!checkCedula(cedula).ok) throw new JourneyError('CLV-001');
  const clave = typeof password === 'string' ? password.slice(0, MAX_PASSWORD_CHARS).normalize('NFC') : '';
  const { stores } = ctx.storage;
  const ref = cedulaRef(ctx.secret, cedula);
  const [account, failures] = await Promise.all([stores.accounts.find(cedula), stores.loginFailures.count(ref)]);
  const matches = account?.passwordHash ? await ctx.hasher.verify(account.passwordHash, clave) : await ctx.hasher.verifyDummy(clave);
  const now = ctx.clock();
  const audit = { event: 'login', cedula, ip: client.ip, userAgent: client.userAgent, at: now };
  if (account?.status === 'locked' || failures >= ctx.limits.loginMaxFailures) {
    await stores.audit.record({ ...audit, outcome: 'locked' });
    throw new JourneyError('CLV-040');
  }
  if (!matches || account?.status !== 'active') {
    const count = await stores.loginFailures.increment(ref, now);
    if (count < ctx.limits.loginMaxFailures) {
      await stores.audit.record({ ...audit, outcome: 'failed' });
      throw new JourneyError('CLV-041');
    }
    if (account) await stores.accounts.lock(account.cedula, now);
    await stores.audit.record({ ...audit, outcome: 'locked_now' });
    throw new JourneyError('CLV-040');
  }
  const { token, hash } = issueToken();
  const absoluteExpiresAt = later(now, ctx.limits.sessionAbsoluteTtlMs);
  await ctx.storage.transaction(async (tx) => {
    await tx.loginFailures.reset(ref);
    await tx.sessions.create(hash, { cedula, createdAt: now, idleExpiresAt: later(now, ctx.limits.sessionIdleTtlMs), absoluteExpiresAt, ip: client.ip, userAgent: client.userAgent });
    await tx.audit.record({ ...audit, outcome: 'ok' });
  });
  return { token, cedula, absoluteExpiresAt };
}
