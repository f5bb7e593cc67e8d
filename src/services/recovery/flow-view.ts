import { stepOf, type FlowState } from '../../domain/flow.ts';
import type { KnowledgeQuestion } from '../../domain/knowledge-questions.ts';
import type { FlowRecord } from '../recovery-ports.ts';
import type { RecoveryContext } from './context.ts';
import { JourneyError } from './journey-error.ts';
import { identitySubject } from './questions.ts';

const FLOW_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The flow, if it exists, is still in `state` and has not expired; CLV-050 otherwise. */
export async function liveFlow(ctx: RecoveryContext, flowId: string, state: FlowState): Promise<FlowRecord> {
  const flow = FLOW_ID.test(flowId) ? await ctx.storage.stores.flows.find(flowId) : undefined;
  if (!flow || stepOf(flow, ctx.clock()) !== state) throw new JourneyError('CLV-050');
  return flow;
}

/** What the identity page shows for a flow: the same questions on every visit. */
export async function identityQuestions(ctx: RecoveryContext, flowId: string): Promise<{ flow: FlowRecord; questions: KnowledgeQuestion[] }> {
  const flow = await liveFlow(ctx, flowId, 'identity');
  const { questions } = await identitySubject(ctx, ctx.storage.stores, flow.cedula, flow.kind);
  return { flow, questions: questions.questions };
}
