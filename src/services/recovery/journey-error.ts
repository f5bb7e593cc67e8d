import type { ErrorCode } from '../../domain/errors.ts';

/** A refusal a person can act on: pages and the API show its catalogue entry. */
export class JourneyError extends Error {
  constructor(readonly code: ErrorCode) {
    super(code);
    this.name = 'JourneyError';
  }
}
