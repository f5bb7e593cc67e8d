import { randomUUID } from 'node:crypto';
import { checkCedula, normaliseCedulaInput } from '../../domain/cedula.ts';
import { clientNetwork } from '../../domain/client-address.ts';
import type { FlowKind } from '../../domain/flow.ts';
import type { KnowledgeQuestion } from '../../domain/knowledge-questions.ts';
import type { AuditEvent, FlowRecord, Locale } from '../recovery-ports.ts';
import { later, type ClientInfo, type RecoveryContext } from './context.ts';
import { JourneyError } from './journey-error.ts';
import { questionsFor } from './questions.ts';
import { throttled } from './throttled.ts';

/** An IPv6 holder often has a /48: counted per /64, it could start a cédula's flows without end. */
const CEDULA_IPV6_PREFIX = 48;

export interface StartFlowInput {
  kind: FlowKind;
  cedula: unknown;
  captcha: unknown;
  locale: Locale;
  client: ClientInfo;
}

export interface StartedFlow {
  flow: FlowRecord;
  questions: KnowledgeQuestion[];
}

/** Step 1: a well-formed cédula and a solved CAPTCHA (used once) open a flow. */
export async function startFlow(ctx: RecoveryContext, input: StartFlowInput): Promise<StartedFlow> {
  await throttled(ctx, 'flow_start_ip', input.client.ip);
  const cedula = typeof input.cedula === 'string' ? normaliseCedulaInput(input.cedula) : '';
  if (!checkCedula(cedula).ok) throw new JourneyError('CLV-001');
  const now = ctx.clock();
  const captcha = await ctx.captcha.verify(input.captcha);
  const audit = { cedula, ip: input.client.ip, userAgent: input.client.userAgent, at: now };
  if (!captcha.ok) {
    await ctx.storage.stores.audit.record({ ...audit, event: 'captcha', outcome: captcha.reason });
    throw new JourneyError(captcha.reason === 'expired' ? 'CLV-003' : 'CLV-002');
  }
  // Spent only after a solved CAPTCHA (and refunded below for a replayed one), so junk
  // requests cannot block someone else's recovery; and counted per network, so that a
  // stranger solving CAPTCHAs for a cédula holds back only their own network's starts.
  const cedulaStarts = `${cedula} ${clientNetwork(input.client.ip, Math.min(ctx.limits.throttleIpv6Prefix, CEDULA_IPV6_PREFIX))}`;
  await throttled(ctx, 'flow_start_cedula', cedulaStarts);
  const flow: FlowRecord = { id: randomUUID(), kind: input.kind, cedula, state: 'identity', locale: input.locale, createdAt: now, expiresAt: later(now, ctx.limits.flowTtlMs) };
  const replayed: AuditEvent = { ...audit, event: 'captcha', outcome: 'replayed' };
  const questions = await questionsFor(ctx, cedula, flow.kind, captcha.challengeHash);
  if (!questions) {
    await ctx.storage.stores.audit.record(replayed);
    return refuseReplay(ctx, cedulaStarts);
  }
  // The CAPTCHA is claimed here, atomically: of two requests using one at the same moment, one opens a flow.
  const { opened } = await ctx.storage.stores.flows.open(flow, questions, { hash: captcha.challengeHash, expiresAt: captcha.expiresAt }, {
    started: { ...audit, event: 'flow_started', outcome: 'ok', flowId: flow.id, detail: { kind: flow.kind } },
    replayed,
  });
  if (!opened) return refuseReplay(ctx, cedulaStarts);
  return { flow, questions: questions.questions };
}

/** The unit the replay spent is given back: replays must not use up someone else's flow starts. */
async function refuseReplay(ctx: RecoveryContext, cedulaStarts: string): Promise<never> {
  await ctx.throttle.refund('flow_start_cedula', cedulaStarts);
  throw new JourneyError('CLV-003');
}
