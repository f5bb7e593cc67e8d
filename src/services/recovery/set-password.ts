import { nextState, stepOf, type FlowKind } from '../../domain/flow.ts';
import { hashToken, isWellFormedToken } from '../../domain/tokens.ts';
import type { AffiliateProfile, ClaveHistory, FlowRecord, PasswordStepRecord, TokenLookup } from '../recovery-ports.ts';
import type { ClientInfo, RecoveryContext } from './context.ts';
import { isFlowId } from './flow-view.ts';
import { JourneyError } from './journey-error.ts';
import { throttled } from './throttled.ts';
import { applyNewClave, claveStrength, claveViolations, countClaveCheck, personalData, type ClaveStrength, type ClaveViolation } from './new-clave.ts';

/** What step 4's page says of its reset session: its journey (to start again) and its deadline. */
export interface ResetSessionView {
  kind: FlowKind;
  deadline: Date;
  secondsLeft: number;
}

export type PasswordOutcome = { step: 'done' } | { step: 'set_password'; violations: ClaveViolation[]; session: ResetSessionView };

interface ResetSession {
  flow: FlowRecord;
  hash: Buffer;
  affiliate: AffiliateProfile;
  claves: ClaveHistory;
}

/** The flow a reset session token belongs to, whatever became of the token. */
const sessionFlowId = (token: TokenLookup) => (token.status === 'live' ? token.token.flowId : token.status === 'unknown' ? undefined : token.flowId);

/**
 * Why a reset session is refused: start again. Its own holder is also told whether the
 * flow's clave was saved (another tab, or a second click of the same button) or not (the
 * session ran out, or a newer request replaced the flow).
 */
function refusedSession(found: PasswordStepRecord | undefined): JourneyError {
  const flow = found?.flow;
  if (!flow) return new JourneyError('CLV-050');
  if (sessionFlowId(found.token) !== flow.id) return new JourneyError('CLV-050', { restart: flow.kind });
  return new JourneyError('CLV-050', { restart: flow.kind, ...(flow.state === 'done' ? { claveSaved: true } : { claveNotSaved: true }) });
}

/**
 * The reset session must be live and belong to this flow; anything else means start again.
 * One read, with as many of the stored claves as `history` (none for the live meter).
 */
async function resetSession(ctx: RecoveryContext, flowId: string, resetToken: unknown, history = ctx.limits.passwordHistory): Promise<ResetSession> {
  if (!isFlowId(flowId) || !isWellFormedToken(resetToken)) throw new JourneyError('CLV-050');
  const hash = hashToken(resetToken);
  const found = await ctx.storage.stores.flows.findForPassword(flowId, hash, ctx.clock(), history);
  const live = found && stepOf(found.flow, ctx.clock()) === 'set_password' && found.token.status === 'live' && found.token.token.flowId === found.flow.id;
  if (!live || !found.affiliate) throw refusedSession(found);
  return { flow: found.flow, hash, affiliate: found.affiliate, claves: found.claves };
}

/** The reset session's deadline is its flow's (set when the link was redeemed). */
function sessionView(ctx: RecoveryContext, flow: FlowRecord): ResetSessionView {
  const secondsLeft = Math.max(0, Math.ceil((flow.expiresAt.getTime() - ctx.clock().getTime()) / 1000));
  return { kind: flow.kind, deadline: flow.expiresAt, secondsLeft };
}

/** Step 4's page: which journey the reset session belongs to, and until when it lasts. */
export async function newClaveSession(ctx: RecoveryContext, flowId: string, resetToken: unknown): Promise<ResetSessionView> {
  return sessionView(ctx, (await resetSession(ctx, flowId, resetToken, 0)).flow);
}

/** Step 4: a new clave under the policy, allowed once per reset session. */
export async function setNewPassword(ctx: RecoveryContext, flowId: string, resetToken: unknown, password: unknown, confirmation: unknown, client: ClientInfo): Promise<PasswordOutcome> {
  const { flow, hash, affiliate, claves } = await resetSession(ctx, flowId, resetToken);
  // Each save may cost argon2id work (the reuse check) and tests one guess at the person's data.
  await throttled(ctx, 'clave_save', `flow:${flow.id}`);
  const { normalised, violations } = await claveViolations(ctx, affiliate, password, confirmation, claves);
  if (violations.length > 0) return { step: 'set_password', violations, session: sessionView(ctx, flow) };
  const passwordHash = await ctx.hasher.hash(normalised);
  const now = ctx.clock();
  const saved = await ctx.storage.transaction(async (stores) => {
    // Consuming the reset token is what makes 50 simultaneous submissions yield one change.
    if (!(await stores.flows.moveConsuming(hash, 'reset_session', flow.id, 'set_password', nextState(flow, 'password_set'), now, now))) return false;
    await applyNewClave(ctx, stores, { affiliate, passwordHash, locale: flow.locale, client, flowId: flow.id, hadClave: claves.current !== undefined });
    return true;
  });
  if (!saved) {
    // Lost to another save of the same session, or ran out meanwhile: read again to say which.
    await resetSession(ctx, flowId, resetToken, 0);
    throw new JourneyError('CLV-050', { restart: flow.kind });
  }
  ctx.onMailQueued?.();
  return { step: 'done' };
}

/**
 * Step 4's live meter, for the holder of the reset session only: the whole policy against
 * the person's data, which the link's holder has proved to own. Counted with the flow's
 * other checks, after the session is found, so nobody spends another's.
 */
export async function checkTypedClave(ctx: RecoveryContext, flowId: string, resetToken: unknown, password: unknown, client: ClientInfo): Promise<ClaveStrength> {
  const { flow, affiliate } = await resetSession(ctx, flowId, resetToken, 0);
  await countClaveCheck(ctx, `flow:${flow.id}`, client);
  return claveStrength(ctx, personalData(ctx, affiliate), password);
}
