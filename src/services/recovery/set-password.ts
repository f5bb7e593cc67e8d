import { nextState } from '../../domain/flow.ts';
import { hashToken, isWellFormedToken } from '../../domain/tokens.ts';
import type { ErrorCode } from '../../domain/errors.ts';
import type { FlowRecord } from '../recovery-ports.ts';
import type { ClientInfo, RecoveryContext } from './context.ts';
import { liveFlow } from './flow-view.ts';
import { JourneyError } from './journey-error.ts';
import { applyNewClave, claveViolations, type ClaveViolation } from './new-clave.ts';

export type PasswordOutcome = { step: 'done' } | { step: 'set_password'; violations: ClaveViolation[] };

/** The reset session must be live and belong to this flow; anything else means start again. */
async function resetSession(ctx: RecoveryContext, flowId: string, resetToken: unknown): Promise<{ flow: FlowRecord; hash: Buffer }> {
  const flow = await liveFlow(ctx, flowId, 'set_password');
  if (!isWellFormedToken(resetToken)) throw new JourneyError('CLV-050');
  const hash = hashToken(resetToken);
  const lookup = await ctx.storage.stores.tokens.peek(hash, ['reset_session'], ctx.clock());
  if (lookup.status !== 'live' || lookup.token.flowId !== flow.id) throw new JourneyError('CLV-050');
  return { flow, hash };
}

/** Step 4: a new clave under the policy, allowed once per reset session. */
export async function setNewPassword(ctx: RecoveryContext, flowId: string, resetToken: unknown, password: unknown, confirmation: unknown, client: ClientInfo): Promise<PasswordOutcome> {
  const { flow, hash } = await resetSession(ctx, flowId, resetToken);
  const affiliate = await ctx.storage.stores.registry.affiliate(flow.cedula);
  if (!affiliate) throw new JourneyError('CLV-050');
  const { normalised, violations } = await claveViolations(ctx, affiliate, password, confirmation);
  if (violations.length > 0) return { step: 'set_password', violations };
  const passwordHash = await ctx.hasher.hash(normalised);
  const now = ctx.clock();
  const refused: ErrorCode | undefined = await ctx.storage.transaction(async (stores) => {
    // Consuming the reset token is what makes 50 simultaneous submissions yield one change.
    if ((await stores.tokens.consume(hash, ['reset_session'], now)).status !== 'live') return 'CLV-050';
    if (!(await stores.flows.move(flow.id, 'set_password', nextState(flow, 'password_set'), now, now))) return 'CLV-050';
    await applyNewClave(ctx, stores, { affiliate, passwordHash, locale: flow.locale, client, flowId: flow.id });
    return undefined;
  });
  if (refused) throw new JourneyError(refused);
  ctx.onMailQueued?.();
  return { step: 'done' };
}
