import type { ErrorCode } from '../../domain/errors.ts';
import type { FlowKind } from '../../domain/flow.ts';

/** Where a person can go from a refusal, where the service knows more than its code. */
export interface NextStep {
  /** The journey the refused link or flow belonged to: starting again begins there. */
  restart?: FlowKind;
  /** False where signing in cannot work (a "No fui yo" link has locked the account). */
  signIn?: boolean;
  /** A refused reset session's flow set its clave: what was sent now was not saved, the first one was. */
  claveSaved?: boolean;
  /** A refused reset session's flow never set a clave: nothing typed in it was saved. */
  claveNotSaved?: boolean;
}

/** What a refusal says beyond its code: when to try again (throttles), and where to go on. */
export interface RefusalDetails extends NextStep {
  /** For throttles: how long the caller should wait (sent as Retry-After). */
  retryAfterSeconds?: number;
}

/** A refusal a person can act on: pages and the API show its catalogue entry. */
export class JourneyError extends Error {
  readonly retryAfterSeconds?: number;
  readonly next: NextStep;

  constructor(readonly code: ErrorCode, { retryAfterSeconds, ...next }: RefusalDetails = {}) {
    super(code);
    this.name = 'JourneyError';
    this.retryAfterSeconds = retryAfterSeconds;
    this.next = next;
  }
}
