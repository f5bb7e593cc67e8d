import type { DummyLayout, SettingsShare } from '../../domain/dummy-layout.ts';
import type { AccountRecord, AuditEvent, NewSession } from '../recovery-ports.ts';

/** What Ingresar knows before it verifies: read together, in one round trip. */
export interface LoginState {
  account: AccountRecord | undefined;
  /** Attempts in a row not ended by a sign-in, this one included, whether or not the cédula has an account. */
  attempts: number;
}

/** A login attempt's audit fields; the store adds the outcome it decided. */
export type LoginAudit = Omit<AuditEvent, 'outcome' | 'flowId' | 'detail'> & { cedula: string };

/**
 * The login's storage: each call is one atomic statement, so an attempt costs two round
 * trips (claim, then outcome) whatever its outcome, and needs no BEGIN/COMMIT.
 */
export interface LoginStore {
  /**
   * Counts this attempt before the clave is checked, so guesses sent in parallel cannot
   * all pass the lockout on the same old count; returns the account with the new count.
   */
  claim(cedula: string, cedulaRef: Buffer, now: Date): Promise<LoginState>;
  /** Takes back a claimed attempt whose clave was never checked (the service was overloaded). */
  unclaim(cedulaRef: Buffer): Promise<void>;
  /** The right clave outside a sign-in (Mi cuenta): the attempts in a row start again from zero. */
  reset(cedulaRef: Buffer): Promise<void>;
  /**
   * Opens the session only if the account is still active with the clave just verified
   * (a "No fui yo", a lock or a new clave since the claim wins; a re-hash of the same clave
   * does not), then clears the count and audits 'ok'. False when it did not.
   */
  succeed(cedulaRef: Buffer, claveVersion: number, sessionIdHash: Buffer, session: NewSession, audit: LoginAudit): Promise<boolean>;
  /** Audits a wrong attempt ('failed'); with `lock`, also locks the account, if any ('locked_now'). The audit's event says where: Ingresar or Mi cuenta. */
  fail(cedulaRef: Buffer, lock: boolean, audit: LoginAudit): Promise<void>;
  /** Audits an attempt refused because the account was already locked ('locked'). */
  refuseLocked(cedulaRef: Buffer, audit: LoginAudit): Promise<void>;
  /** Replaces the stored hash of the same clave, unless the clave changed meanwhile; the clave version stays, so sign-ins that verified the old hash still succeed. */
  rehash(cedula: string, from: string, to: string): Promise<void>;
  /** How many times wrong claves (at Ingresar or Mi cuenta) locked this cédula since `since`. */
  locksSince(cedulaRef: Buffer, since: Date): Promise<number>;
}

export interface StoredLayout {
  layout: DummyLayout;
  /** Counted less than the asked time ago, by the database's clock. */
  fresh: boolean;
}

/** The dummy layout every instance shares (domain/dummy-layout.ts). */
export interface DummyLayoutStore {
  /** The stored layout; none when there is none yet or the row is not a whole layout. */
  read(freshForMs: number): Promise<StoredLayout | undefined>;
  /**
   * One instance at a time: the stored layout if it is fresh by then; otherwise counts the
   * settings of the stored claves (reading every account) and stores `next(previous, mix)`.
   */
  recount(freshForMs: number, next: (previous: DummyLayout | undefined, mix: SettingsShare[]) => DummyLayout): Promise<DummyLayout>;
}
