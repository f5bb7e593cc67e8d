import { impersonalViolations, noPersonalData, type PasswordViolation } from '../../domain/password-policy.ts';
import { hashToken, isWellFormedToken } from '../../domain/tokens.ts';
import type { SessionRecord } from '../recovery-ports.ts';
import type { ClientInfo, RecoveryContext } from '../recovery/context.ts';
import { later } from '../recovery/context.ts';
import { JourneyError } from '../recovery/journey-error.ts';
import { applyNewClave, asTyped, claveStrength, claveViolations, countClaveCheck, policySettings, type ClaveStrength, type ClaveViolation } from '../recovery/new-clave.ts';
import { checkCurrentClave } from './current-clave.ts';
import type { LoginStore } from './login-ports.ts';

export interface ActiveSession {
  idHash: Buffer;
  session: SessionRecord;
}

/** The session behind a cookie or bearer token, kept alive by use; undefined when it ended. */
export async function resumeSession(ctx: RecoveryContext, token: unknown): Promise<ActiveSession | undefined> {
  if (!isWellFormedToken(token)) return undefined;
  const idHash = hashToken(token);
  const now = ctx.clock();
  const session = await ctx.storage.stores.sessions.touch(idHash, now, later(now, ctx.limits.sessionIdleTtlMs));
  return session && { idHash, session };
}

function maskEmail(email: string | null): string | null {
  if (!email) return null;
  const [user = '', domain = ''] = email.split('@');
  return `${user.slice(0, 1)}***@${domain}`;
}

function maskPhone(phone: string | null): string | null {
  return phone ? `***${phone.slice(-4)}` : null;
}

export async function accountView(ctx: RecoveryContext, active: ActiveSession) {
  const { cedula } = active.session;
  const [affiliate, sessions] = await Promise.all([ctx.storage.stores.registry.affiliate(cedula), ctx.storage.stores.sessions.listLive(cedula, ctx.clock())]);
  return {
    firstName: affiliate?.nombres.split(/\s+/)[0] ?? '',
    email: maskEmail(affiliate?.correo ?? null),
    phone: maskPhone(affiliate?.celular ?? null),
    sessions: sessions.map((s) => ({ ...s, current: s.ref === active.idHash.toString('hex') })),
  };
}

/**
 * `triesLeft`: with a wrong current clave, the failures in a row left before the account
 * locks. `currentMissing`: nothing was typed as the current clave.
 */
export type ChangeOutcome = { changed: true } | { changed: false; violations: (ClaveViolation | 'CLV-041' | 'currentMissing')[]; triesLeft?: number };

/** What the change form holds, as typed. */
export interface ClaveChange {
  current: unknown;
  password: unknown;
  confirmation: unknown;
}

/**
 * With a wrong current clave, what can still be said about the new one so it is fixed in
 * one go. Never the rules that compare it with the owner's data or old claves: a session
 * without the current clave (a stolen cookie) must not learn a birth date, a surname or
 * an earlier clave by asking.
 */
function wrongCurrentViolations(ctx: RecoveryContext, change: ClaveChange): PasswordViolation[] {
  return impersonalViolations(asTyped(change.password), asTyped(change.confirmation), policySettings(ctx));
}

/** Mi cuenta: the current clave, then a new one under the same policy; the other sessions end. */
export async function changeClave(ctx: RecoveryContext, logins: LoginStore, active: ActiveSession, change: ClaveChange, client: ClientInfo, locale: 'es' | 'en'): Promise<ChangeOutcome> {
  const { cedula } = active.session;
  // Besides the count of wrong claves: one session cannot keep the hasher busy either.
  const allowed = await ctx.throttle.consume('login_ip', `session:${active.session.ref}`);
  if (!allowed.allowed) throw new JourneyError('CLV-043', { retryAfterSeconds: allowed.retryAfterSeconds });
  // A blank current clave (the form sends it back empty after any refusal) is a field to
  // fill in, not a wrong clave: it is neither verified nor counted towards the lock.
  if (asTyped(change.current) === '') return { changed: false, violations: ['currentMissing', ...wrongCurrentViolations(ctx, change)] };
  const affiliate = await ctx.storage.stores.registry.affiliate(cedula);
  if (!affiliate) throw new JourneyError('CLV-050');
  const current = await checkCurrentClave(ctx, logins, active, change.current, client);
  if ('triesLeft' in current) return { changed: false, violations: ['CLV-041', ...wrongCurrentViolations(ctx, change)], triesLeft: current.triesLeft };
  const replacing = current.version;
  const { normalised, violations } = await claveViolations(ctx, affiliate, change.password, change.confirmation);
  if (violations.length > 0) return { changed: false, violations };
  const passwordHash = await ctx.hasher.hash(normalised);
  await ctx.storage.transaction((stores) => applyNewClave(ctx, stores, { affiliate, passwordHash, locale, client, keepSessionHash: active.idHash, hadClave: true, replacing }));
  ctx.onMailQueued?.();
  return { changed: true };
}

/**
 * Mi cuenta's live meter. The session has not proved the current clave yet, so the clave is
 * checked against nobody's data (as wrongCurrentViolations says why): the meter tells a
 * stolen cookie nothing of its owner. Counted per session and address (countClaveCheck).
 */
export async function checkTypedClave(ctx: RecoveryContext, active: ActiveSession, password: unknown, client: ClientInfo): Promise<ClaveStrength> {
  await countClaveCheck(ctx, `session:${active.session.ref}`, client);
  return claveStrength(ctx, noPersonalData(ctx.instituteName), password);
}

export async function endOtherSessions(ctx: RecoveryContext, active: ActiveSession): Promise<void> {
  await ctx.storage.stores.sessions.revokeAll(active.session.cedula, ctx.clock(), active.idHash);
}

export async function logout(ctx: RecoveryContext, active: ActiveSession): Promise<void> {
  await ctx.storage.stores.sessions.revoke(active.idHash, ctx.clock());
}

/**
 * Ends the session behind an API bearer token. Ending one that already ended or never
 * existed is not an error: either way the token no longer works. False only when the
 * value cannot be a session token at all.
 */
export async function endSession(ctx: RecoveryContext, token: unknown): Promise<boolean> {
  if (!isWellFormedToken(token)) return false;
  await ctx.storage.stores.sessions.revoke(hashToken(token), ctx.clock());
  return true;
}
