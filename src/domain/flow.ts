/**
 * A recovery flow is a persisted state machine (after Ory Kratos's recovery flow).
 * Only the transitions below move it; each one also sets the deadline of the step it
 * enters, so "expired" is simply a live state whose deadline has passed.
 *
 *   identity --identity_submitted--> check_email --link_redeemed--> set_password --password_set--> done
 *                                          \--link_redeemed (unlock)--> done
 *   any live state --superseded--> superseded
 */
export const FLOW_KINDS = ['generate', 'recover', 'unlock'] as const;
export type FlowKind = (typeof FLOW_KINDS)[number];

/** The journeys as the site names them: /clave/<path>, for the pages and the links mailed. */
export const JOURNEY_PATHS: Record<FlowKind, string> = { generate: 'generar', recover: 'recuperar', unlock: 'desbloquear' };

export type FlowState = 'identity' | 'check_email' | 'set_password' | 'done' | 'superseded';
export type FlowEvent = 'identity_submitted' | 'link_redeemed' | 'password_set' | 'superseded';

/** What a person is asked to do next, as pages and the API name it. */
export type FlowStep = FlowState | 'expired';

export interface FlowSnapshot {
  kind: FlowKind;
  state: FlowState;
  expiresAt: Date;
}

export class IllegalTransition extends Error {
  constructor(readonly from: FlowState, readonly event: FlowEvent) {
    super(`a flow in state ${from} cannot take ${event}`);
    this.name = 'IllegalTransition';
  }
}

const LIVE: readonly FlowState[] = ['identity', 'check_email', 'set_password'];

export function isFlowKind(value: unknown): value is FlowKind {
  return typeof value === 'string' && (FLOW_KINDS as readonly string[]).includes(value);
}

export function isLive(state: FlowState): boolean {
  return LIVE.includes(state);
}

/** The state an event leads to, or IllegalTransition. */
export function nextState(flow: Pick<FlowSnapshot, 'kind' | 'state'>, event: FlowEvent): FlowState {
  if (event === 'superseded' && isLive(flow.state)) return 'superseded';
  if (event === 'identity_submitted' && flow.state === 'identity') return 'check_email';
  if (event === 'link_redeemed' && flow.state === 'check_email') return flow.kind === 'unlock' ? 'done' : 'set_password';
  if (event === 'password_set' && flow.state === 'set_password') return 'done';
  throw new IllegalTransition(flow.state, event);
}

export function stepOf(flow: FlowSnapshot, now: Date): FlowStep {
  if (isLive(flow.state) && flow.expiresAt.getTime() <= now.getTime()) return 'expired';
  return flow.state;
}
