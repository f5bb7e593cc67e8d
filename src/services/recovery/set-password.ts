import { nextState } from '../../domain/flow.ts';
import { hashToken, isWellFormedToken } from '../../domain/tokens.ts';
import type { ErrorCode } from '../../domain/errors.ts';
import type { AffiliateProfile, ClaveHistory, FlowRecord } from '../recovery-ports.ts';
import type { ClientInfo, RecoveryContext } from './context.ts';
import { isFlowId, liveFlow } from './flow-view.ts';
import { JourneyError } from './journey-error.ts';
import { throttled } from './throttled.ts';
import { applyNewClave, claveStrength, claveViolations, countClaveCheck, personalData, type ClaveStrength, type ClaveViolation } from './new-clave.ts';

export type PasswordOutcome = { step: 'done' } | { step: 'set_password'; violations: ClaveViolation[] };

interface ResetSession {
  flow: FlowRecord;
  hash: Buffer;
  affiliate: AffiliateProfile;
  claves: ClaveHistory;
}

/**
 * The reset session must be live and belong to this flow; anything else means start again.
 * One read, with as many of the stored claves as `history` (none for the live meter).
 */
async function resetSession(ctx: RecoveryContext, flowId: string, resetToken: unknown, history = ctx.limits.passwordHistory): Promise<ResetSession> {
  if (!isFlowId(flowId) || !isWellFormedToken(resetToken)) throw new JourneyError('CLV-050');
  const hash = hashToken(resetToken);
  const found = await ctx.storage.stores.flows.findForPassword(flowId, hash, ctx.clock(), history);
  const flow = liveFlow(ctx, found?.flow, 'set_password');
  const { token, affiliate, claves } = found!;
  if (token.status !== 'live' || token.token.flowId !== flow.id || !affiliate) throw new JourneyError('CLV-050', { restart: flow.kind });
  return { flow, hash, affiliate, claves };
}

/** Step 4: a new clave under the policy, allowed once per reset session. */
export async function setNewPassword(ctx: RecoveryContext, flowId: string, resetToken: unknown, password: unknown, confirmation: unknown, client: ClientInfo): Promise<PasswordOutcome> {
  const { flow, hash, affiliate, claves } = await resetSession(ctx, flowId, resetToken);
  // Each save may cost argon2id work (the reuse check) and tests one guess at the person's data.
  await throttled(ctx, 'clave_save', `flow:${flow.id}`);
  const { normalised, violations } = await claveViolations(ctx, affiliate, password, confirmation, claves);
  if (violations.length > 0) return { step: 'set_password', violations };
  const passwordHash = await ctx.hasher.hash(normalised);
  const now = ctx.clock();
  const refused: ErrorCode | undefined = await ctx.storage.transaction(async (stores) => {
    // Consuming the reset token is what makes 50 simultaneous submissions yield one change.
    if (!(await stores.flows.moveConsuming(hash, 'reset_session', flow.id, 'set_password', nextState(flow, 'password_set'), now, now))) return 'CLV-050';
    await applyNewClave(ctx, stores, { affiliate, passwordHash, locale: flow.locale, client, flowId: flow.id, hadClave: claves.current !== undefined });
    return undefined;
  });
  if (refused) throw new JourneyError(refused);
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
