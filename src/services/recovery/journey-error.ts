import type { ErrorCode } from '../../domain/errors.ts';
import type { FlowKind } from '../../domain/flow.ts';

/** A refusal a person can act on: pages and the API show its catalogue entry. */
export class JourneyError extends Error {
  /**
   * `retryAfterSeconds`, for throttles: how long the caller should wait (sent as Retry-After).
   * `restart`: the journey the refused link or flow belonged to, where starting again begins.
   */
  constructor(readonly code: ErrorCode, readonly retryAfterSeconds?: number, readonly restart?: FlowKind) {
    super(code);
    this.name = 'JourneyError';
  }
}
