import { stepOf, type FlowKind, type FlowState } from '../../domain/flow.ts';
import type { KnowledgeQuestion, QuestionSet } from '../../domain/knowledge-questions.ts';
import type { AffiliateProfile, FlowRecord, IdentityStepRecord } from '../recovery-ports.ts';
import type { RecoveryContext } from './context.ts';
import { JourneyError } from './journey-error.ts';
import { canReceive } from './questions.ts';

const FLOW_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Only a well-formed id is worth a look in the database. */
export const isFlowId = (flowId: string): boolean => FLOW_ID.test(flowId);

/** The flow, if it exists, is still in `state` and has not expired; CLV-050 otherwise. */
export function liveFlow(ctx: RecoveryContext, flow: FlowRecord | undefined, state: FlowState): FlowRecord {
  if (!flow || stepOf(flow, ctx.clock()) !== state) throw new JourneyError('CLV-050', { restart: flow?.kind });
  return flow;
}

export interface IdentitySubject {
  /** Present only when the cédula is registered with verified contact data: the only case anything is sent. */
  affiliate: AffiliateProfile | undefined;
  /** What the flow asked when it started. */
  questions: QuestionSet;
}

const readAtIdentity = async (ctx: RecoveryContext, flowId: string) => (isFlowId(flowId) ? ctx.storage.stores.flows.findAtIdentity(flowId) : undefined);

/** A flow at its identity step, with the questions it asked and whom: one read. */
export async function identityStep(ctx: RecoveryContext, flowId: string): Promise<{ flow: FlowRecord; subject: IdentitySubject }> {
  return atIdentity(ctx, await readAtIdentity(ctx, flowId));
}

function atIdentity(ctx: RecoveryContext, found: IdentityStepRecord | undefined): { flow: FlowRecord; subject: IdentitySubject } {
  const flow = liveFlow(ctx, found?.flow, 'identity');
  // Opened by an earlier release, which kept no questions: started again, as an expired flow is.
  if (!found!.questions) throw new JourneyError('CLV-050', { restart: flow.kind });
  return { flow, subject: { affiliate: canReceive(found!.affiliate) ? found!.affiliate : undefined, questions: found!.questions } };
}

/** What the identity page shows for a flow: the same questions on every visit. */
export async function identityQuestions(ctx: RecoveryContext, flowId: string): Promise<{ flow: FlowRecord; questions: KnowledgeQuestion[] }> {
  const { flow, subject } = await identityStep(ctx, flowId);
  return { flow, questions: subject.questions.questions };
}

/**
 * Whether the flow's identity step was answered and it waits for its link. A flow a newer
 * link superseded waits the same until its own deadline: only a right answer for a real
 * affiliate supersedes, so a page that told it would tell who is an affiliate.
 */
function waitsAsAnswered(flow: FlowRecord, now: Date): boolean {
  const step = stepOf(flow, now);
  return step === 'check_email' || (step === 'superseded' && flow.expiresAt.getTime() > now.getTime());
}

/**
 * The identity page: its questions, or, visited again once answered (the browser's Back),
 * the way on to "revise su correo" rather than "the process expired", which would have the
 * person start again and replace the link already on its way.
 */
export async function identityPage(ctx: RecoveryContext, flowId: string): Promise<{ answered: false; flow: FlowRecord; questions: KnowledgeQuestion[] } | { answered: true; kind: FlowKind; linkExpiresAt: Date }> {
  const found = await readAtIdentity(ctx, flowId);
  // Answered: the flow waits for its link until the link's deadline (submitIdentity).
  if (found && waitsAsAnswered(found.flow, ctx.clock())) return { answered: true, kind: found.flow.kind, linkExpiresAt: found.flow.expiresAt };
  const { flow, subject } = atIdentity(ctx, found);
  return { answered: false, flow, questions: subject.questions.questions };
}
