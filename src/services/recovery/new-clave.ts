import { typedTooLong, type PasswordViolation, type PersonalData } from '../../domain/password-policy.ts';
import type { AffiliateProfile, ClaveHistory, Locale, RecoveryStores } from '../recovery-ports.ts';
import type { ClientInfo, RecoveryContext } from './context.ts';
import { issueDisavowLink } from './disavow.ts';
import { JourneyError } from './journey-error.ts';
import { queueMail } from './mail.ts';
import { throttled } from './throttled.ts';

export type ClaveViolation = PasswordViolation | 'CLV-034';

/** Current clave or one of the last PASSWORD_HISTORY: checked against the stored hashes. */
async function wasUsedBefore(ctx: RecoveryContext, claves: ClaveHistory, password: string): Promise<boolean> {
  const hashes = claves.current === undefined ? claves.previous : [claves.current, ...claves.previous];
  const matches = await Promise.all(hashes.map((hash) => ctx.hasher.verify(hash, password)));
  return matches.some(Boolean);
}

/** Only what the policy compares the clave with: the worker gets nothing more. */
export function personalData(ctx: RecoveryContext, affiliate: AffiliateProfile): PersonalData {
  return { cedula: affiliate.cedula, nombres: affiliate.nombres, apellidos: affiliate.apellidos, fechaNacimiento: affiliate.fechaNacimiento, instituteName: ctx.instituteName };
}

/** What was typed in a clave field: a string, or nothing. */
export const asTyped = (value: unknown) => (typeof value === 'string' ? value : '');

export const policySettings = (ctx: RecoveryContext) => ({ minLength: ctx.limits.passwordMinLength, classesBelow: ctx.limits.passwordClassesBelow });

/**
 * The §2.4 policy, the same at Generar, Recuperar and Mi cuenta. `claves` when the caller
 * already read them (PASSWORD_HISTORY of them); otherwise they are read here, only if needed.
 */
export async function claveViolations(ctx: RecoveryContext, affiliate: AffiliateProfile, password: unknown, confirmation: unknown, claves?: ClaveHistory) {
  const checked = await ctx.policy.check(asTyped(password), asTyped(confirmation), personalData(ctx, affiliate), policySettings(ctx));
  const violations: ClaveViolation[] = [...checked.violations];
  if (violations.length === 0) {
    const history = claves ?? (await ctx.storage.stores.accounts.claveHistory(affiliate.cedula, ctx.limits.passwordHistory));
    if (await wasUsedBefore(ctx, history, checked.password)) violations.push('CLV-034');
  }
  return { normalised: checked.password, violations };
}

export interface ClaveStrength {
  violations: PasswordViolation[];
  /** zxcvbn's 0–4 (below 3 the clave is refused, CLV-033); null when too long to score. */
  score: number | null;
}

/**
 * One more policy check by `owner` (a flow's reset session, a Mi cuenta session) from this
 * client: counted per owner (CLAVE_CHECKS_PER_SESSION) and per address (CLAVE_CHECKS_PER_IP),
 * so that neither one session nor many sessions from one place can keep the checker busy.
 */
export async function countClaveCheck(ctx: RecoveryContext, owner: string, client: ClientInfo): Promise<void> {
  // The owner's first: one past its own budget does not go on spending what others behind the same address share.
  await throttled(ctx, 'clave_check', owner);
  await throttled(ctx, 'clave_check_ip', client.ip);
}

/**
 * The live meter: the policy's verdict on a clave as it is typed, against `personal`. Never
 * the confirmation (CLV-035) nor reuse (CLV-034): those are judged when the clave is sent,
 * and reuse costs argon2id work that no keystroke should.
 */
export async function claveStrength(ctx: RecoveryContext, personal: PersonalData, password: unknown): Promise<ClaveStrength> {
  const typed = asTyped(password);
  // Said here, without a trip to the checker: all there is to say of it (checkPassword).
  if (typedTooLong(typed)) return { violations: ['CLV-030'], score: null };
  const { violations, score } = await ctx.policy.check(typed, typed, personal, policySettings(ctx), { advice: true });
  return { violations, score };
}

export interface NewClave {
  affiliate: AffiliateProfile;
  passwordHash: string;
  locale: Locale;
  client: ClientInfo;
  flowId?: string;
  /** Mi cuenta keeps the session that made the change; recovery ends them all. */
  keepSessionHash?: Buffer;
  /** Whether the account had a clave, when the caller already read it. */
  hadClave?: boolean;
  /** Mi cuenta: the version of the current clave just verified; the change happens only while it is still the clave of an active account. */
  replacing?: number;
}

/**
 * §2.5, inside the caller's transaction: store the clave (old one to history), end the
 * other sessions and every outstanding link, reset counters, tell the owner with a
 * "No fui yo" link. Never a login of its own.
 */
export async function applyNewClave(ctx: RecoveryContext, stores: RecoveryStores, change: NewClave): Promise<void> {
  const now = ctx.clock();
  const { cedula } = change.affiliate;
  const hadClave = change.hadClave ?? (await stores.accounts.find(cedula))?.passwordHash != null;
  // Locked ("No fui yo", failed attempts) or given another clave since it was verified: nothing changes.
  if (!(await stores.accounts.setPassword(cedula, change.passwordHash, now, ctx.limits.passwordHistory, change.replacing))) throw new JourneyError('CLV-041');
  await stores.sessions.revokeAll(cedula, now, change.keepSessionHash);
  await stores.tokens.revokeLive(cedula, ['recovery_link', 'unlock_link', 'reset_session'], now);
  const disavowLink = await issueDisavowLink(ctx, stores, cedula);
  await queueMail(ctx, stores, change.affiliate, { type: 'clave_changed', generated: !hadClave, at: now, disavowLink }, change.locale, { category: 'security' });
  await stores.audit.record({ event: 'clave_set', outcome: 'ok', cedula, flowId: change.flowId, ip: change.client.ip, userAgent: change.client.userAgent, at: now, detail: { via: change.flowId ? 'recovery' : 'account' } });
}
