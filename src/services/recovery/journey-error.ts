import type { ErrorCode } from '../../domain/errors.ts';

/** A refusal a person can act on: pages and the API show its catalogue entry. */
export class JourneyError extends Error {
  /** For throttles: how long the caller should wait (sent as Retry-After). */
  constructor(readonly code: ErrorCode, readonly retryAfterSeconds?: number) {
    super(code);
    this.name = 'JourneyError';
  }
}
