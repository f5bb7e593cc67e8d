import type { AccountRecord, AuditEvent, NewSession } from '../recovery-ports.ts';

/** What Ingresar knows before it verifies: read together, in one round trip. */
export interface LoginState {
  account: AccountRecord | undefined;
  /** Consecutive failed logins for this cédula, whether or not it has an account. */
  failures: number;
}

/** A login attempt's audit fields; the store adds the outcome it decided. */
export type LoginAudit = Omit<AuditEvent, 'outcome' | 'flowId' | 'detail'> & { cedula: string };

/**
 * The login's storage: each call is one atomic statement, so an attempt costs two round
 * trips (read, then write) whatever its outcome, and the write needs no BEGIN/COMMIT.
 */
export interface LoginStore {
  state(cedula: string, cedulaRef: Buffer): Promise<LoginState>;
  /** Clears the failures, opens the session and audits the sign-in ('ok'). */
  succeed(cedulaRef: Buffer, sessionIdHash: Buffer, session: NewSession, audit: LoginAudit): Promise<void>;
  /**
   * Counts one more failure; when the count reaches `maxFailures`, locks the account (if
   * there is one). Audits 'failed' or 'locked_now' and returns the new count.
   */
  fail(cedulaRef: Buffer, maxFailures: number, audit: LoginAudit): Promise<number>;
  /** Audits an attempt refused because the account was already locked ('locked'). */
  refuseLocked(cedulaRef: Buffer, audit: LoginAudit): Promise<void>;
  /** Replaces the stored hash of the same clave, unless the clave changed meanwhile. */
  rehash(cedula: string, from: string, to: string): Promise<void>;
}
