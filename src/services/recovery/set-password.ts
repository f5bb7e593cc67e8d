import { checkPassword, type PasswordViolation } from '../../domain/password-policy.ts';
import { nextState } from '../../domain/flow.ts';
import { hashToken, isWellFormedToken } from '../../domain/tokens.ts';
import type { ErrorCode } from '../../domain/errors.ts';
import type { AffiliateProfile, FlowRecord } from '../recovery-ports.ts';
import type { ClientInfo, RecoveryContext } from './context.ts';
import { issueDisavowLink } from './disavow.ts';
import { liveFlow } from './flow-view.ts';
import { JourneyError } from './journey-error.ts';
import { queueMail } from './mail.ts';

export type PasswordOutcome = { step: 'done' } | { step: 'set_password'; violations: (PasswordViolation | 'CLV-034')[] };

/** The reset session must be live and belong to this flow; anything else means start again. */
async function resetSession(ctx: RecoveryContext, flowId: string, resetToken: unknown): Promise<{ flow: FlowRecord; hash: Buffer }> {
  const flow = await liveFlow(ctx, flowId, 'set_password');
  if (!isWellFormedToken(resetToken)) throw new JourneyError('CLV-050');
  const hash = hashToken(resetToken);
  const lookup = await ctx.storage.stores.tokens.peek(hash, ['reset_session'], ctx.clock());
  if (lookup.status !== 'live' || lookup.token.flowId !== flow.id) throw new JourneyError('CLV-050');
  return { flow, hash };
}

/** Current clave or one of the last PASSWORD_HISTORY: checked against the stored hashes. */
async function wasUsedBefore(ctx: RecoveryContext, cedula: string, password: string): Promise<boolean> {
  const hashes = await ctx.storage.stores.accounts.recentPasswordHashes(cedula, ctx.limits.passwordHistory);
  const matches = await Promise.all(hashes.map((hash) => ctx.hasher.verify(hash, password)));
  return matches.some(Boolean);
}

async function policyViolations(ctx: RecoveryContext, affiliate: AffiliateProfile, password: string, confirmation: string) {
  const checked = checkPassword(password, confirmation, { ...affiliate, instituteName: ctx.instituteName }, { minLength: ctx.limits.passwordMinLength, classesBelow: ctx.limits.passwordClassesBelow });
  const violations: (PasswordViolation | 'CLV-034')[] = [...checked.violations];
  if (violations.length === 0 && (await wasUsedBefore(ctx, affiliate.cedula, checked.password))) violations.push('CLV-034');
  return { normalised: checked.password, violations };
}

/** Step 4: a new clave under the policy; then every session and link ends and the owner is told. */
export async function setNewPassword(ctx: RecoveryContext, flowId: string, resetToken: unknown, password: unknown, confirmation: unknown, client: ClientInfo): Promise<PasswordOutcome> {
  const { flow, hash } = await resetSession(ctx, flowId, resetToken);
  const affiliate = await ctx.storage.stores.registry.affiliate(flow.cedula);
  if (!affiliate) throw new JourneyError('CLV-050');
  const { normalised, violations } = await policyViolations(ctx, affiliate, typeof password === 'string' ? password : '', typeof confirmation === 'string' ? confirmation : '');
  if (violations.length > 0) return { step: 'set_password', violations };
  const passwordHash = await ctx.hasher.hash(normalised);
  const now = ctx.clock();
  const refused: ErrorCode | undefined = await ctx.storage.transaction(async (stores) => {
    const lookup = await stores.tokens.consume(hash, ['reset_session'], now);
    if (lookup.status !== 'live') return 'CLV-050';
    if (!(await stores.flows.move(flow.id, 'set_password', nextState(flow, 'password_set'), now, now))) return 'CLV-050';
    const hadClave = (await stores.accounts.find(flow.cedula))?.passwordHash != null;
    await stores.accounts.setPassword(flow.cedula, passwordHash, now);
    await stores.sessions.revokeAll(flow.cedula, now);
    await stores.tokens.revokeLive(flow.cedula, ['recovery_link', 'unlock_link', 'reset_session'], now);
    const disavowLink = await issueDisavowLink(ctx, stores, flow.cedula);
    await queueMail(ctx, stores, affiliate, { type: 'clave_changed', generated: !hadClave, at: now, disavowLink }, flow.locale, 'security');
    await stores.audit.record({ event: 'clave_set', outcome: 'ok', cedula: flow.cedula, flowId: flow.id, ip: client.ip, userAgent: client.userAgent, at: now, detail: { kind: flow.kind } });
    return undefined;
  });
  if (refused) throw new JourneyError(refused);
  ctx.onMailQueued?.();
  return { step: 'done' };
}
