import { stepOf, type FlowState } from '../../domain/flow.ts';
import type { KnowledgeQuestion } from '../../domain/knowledge-questions.ts';
import type { FlowRecord } from '../recovery-ports.ts';
import type { RecoveryContext } from './context.ts';
import { JourneyError } from './journey-error.ts';
import { identitySubject, type IdentitySubject } from './questions.ts';

const FLOW_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Only a well-formed id is worth a look in the database. */
export const isFlowId = (flowId: string): boolean => FLOW_ID.test(flowId);

/** The flow, if it exists, is still in `state` and has not expired; CLV-050 otherwise. */
export function liveFlow(ctx: RecoveryContext, flow: FlowRecord | undefined, state: FlowState): FlowRecord {
  if (!flow || stepOf(flow, ctx.clock()) !== state) throw new JourneyError('CLV-050');
  return flow;
}

/** A flow at its identity step, with its questions: one read. */
export async function identityStep(ctx: RecoveryContext, flowId: string): Promise<{ flow: FlowRecord; subject: IdentitySubject }> {
  const found = isFlowId(flowId) ? await ctx.storage.stores.flows.findWithIdentity(flowId) : undefined;
  const flow = liveFlow(ctx, found?.flow, 'identity');
  return { flow, subject: await identitySubject(ctx, found!.identity, flow.cedula, flow.kind) };
}

/** What the identity page shows for a flow: the same questions on every visit. */
export async function identityQuestions(ctx: RecoveryContext, flowId: string): Promise<{ flow: FlowRecord; questions: KnowledgeQuestion[] }> {
  const { flow, subject } = await identityStep(ctx, flowId);
  return { flow, questions: subject.questions.questions };
}
