import type { ErrorCode } from '../../domain/errors.ts';
import type { FlowKind } from '../../domain/flow.ts';

/** Where a person can go from a refusal, where the service knows more than its code. */
export interface NextStep {
  /** The journey the refused link or flow belonged to: starting again begins there. */
  restart?: FlowKind;
  /** False where signing in cannot work (a "No fui yo" link has locked the account). */
  signIn?: boolean;
}

/** A refusal a person can act on: pages and the API show its catalogue entry. */
export class JourneyError extends Error {
  /** `retryAfterSeconds`, for throttles: how long the caller should wait (sent as Retry-After). */
  constructor(readonly code: ErrorCode, readonly retryAfterSeconds?: number, readonly next: NextStep = {}) {
    super(code);
    this.name = 'JourneyError';
  }
}
