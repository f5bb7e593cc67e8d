import type { FlowKind, FlowState } from '../domain/flow.ts';
import type { RegistrySample } from '../domain/kba-draws.ts';
import type { EmploymentFact, QuestionSet } from '../domain/knowledge-questions.ts';
import type { AffiliateRecord } from '../domain/registry.ts';

export type Locale = 'es' | 'en';

export interface FlowRecord {
  id: string;
  kind: FlowKind;
  cedula: string;
  state: FlowState;
  locale: Locale;
  createdAt: Date;
  expiresAt: Date;
}

/** An affiliate as the registry holds them. */
export type AffiliateProfile = AffiliateRecord;

export interface AccountRecord {
  cedula: string;
  status: 'none' | 'active' | 'locked';
  passwordHash: string | null;
  /** Moves with every new clave, never with a re-hash of the same one: "still the clave that was verified". */
  claveVersion: number;
}

export type TokenPurpose = 'recovery_link' | 'unlock_link' | 'reset_session' | 'disavow';

export interface TokenRecord {
  purpose: TokenPurpose;
  cedula: string;
  flowId: string | null;
  expiresAt: Date;
}

/** How a token lookup ended: a live token, or why not. */
export type TokenLookup =
  | { status: 'live'; token: TokenRecord; journey?: FlowKind }
  | { status: 'expired' | 'used' | 'replaced'; journey?: FlowKind; flowId?: string }
  | { status: 'unknown' };

export interface NewSession {
  cedula: string;
  createdAt: Date;
  idleExpiresAt: Date;
  absoluteExpiresAt: Date;
  ip?: string;
  userAgent?: string;
}

export interface SessionRecord {
  /** Hex of the id hash: safe to show and to name in forms, useless to sign in with. */
  ref: string;
  cedula: string;
  createdAt: Date;
  lastSeenAt: Date;
  ip: string | null;
  userAgent: string | null;
}

export interface OutboxMessage {
  channel: 'email' | 'sms';
  recipient: string;
  category: 'recovery' | 'security';
  cedulaRef: Buffer;
  /** E-mail: subject, text and HTML; SMS: text only (subject and html empty). */
  message: { subject: string; text: string; html: string; messageId: string };
  availableAt: Date;
  /** After this the message can no longer help (its link has expired): it is not sent. */
  deliverBy?: Date;
}

export interface IdentityOutcome {
  flowId: string;
  verdict: 'verified' | 'failed' | 'not_eligible';
  submittedAt: Date;
  linkExpiresAt: Date;
  ip?: string;
  userAgent?: string;
}

/** What the questions are built from: read in one go, the same way whether the cédula is registered or not. */
export interface IdentityRecord {
  affiliate: AffiliateProfile | undefined;
  history: EmploymentFact[];
  /** The registry's employment rows at the cédula's sample points, in their order. */
  samples: RegistrySample[];
}

/** A flow at its identity step as stored: what it asked, and whom. */
export interface IdentityStepRecord {
  flow: FlowRecord;
  questions: QuestionSet | null;
  affiliate: AffiliateProfile | undefined;
}

/** An identity verdict waiting for its follow-up, with the flow and affiliate it is about. */
export interface PendingOutcome {
  outcome: IdentityOutcome;
  flow: FlowRecord | undefined;
  affiliate: AffiliateProfile | undefined;
  /** Whether other verdicts were waiting too when this one was claimed. */
  more: boolean;
}

/** The claves a new one must differ from: the current one and the last few. */
export interface ClaveHistory {
  current: string | undefined;
  previous: string[];
}

/** A reset session's flow, its token, the affiliate and their claves, read together for the password step. */
export interface PasswordStepRecord {
  flow: FlowRecord;
  token: TokenLookup;
  affiliate: AffiliateProfile | undefined;
  claves: ClaveHistory;
}

/** Recovery mail queued for a cédula in a window: how many, and when the latest goes out. */
export interface RecentMail {
  count: number;
  latest: Date | undefined;
}

export interface AuditEvent {
  event: string;
  outcome: string;
  cedula?: string;
  flowId?: string;
  ip?: string;
  userAgent?: string;
  detail?: Record<string, string | number | boolean>;
  at: Date;
}

/** Everything the recovery use cases read and write; one instance per transaction. */
export interface RecoveryStores {
  flows: {
    /**
     * Accepts a solved CAPTCHA once and, if it was not used before, creates the flow with the
     * questions it asks; audits `started` or `replayed` accordingly. One statement.
     */
    open(flow: FlowRecord, questions: QuestionSet, captcha: { hash: Buffer; expiresAt: Date }, audit: { started: AuditEvent; replayed: AuditEvent }): Promise<{ opened: boolean }>;
    /** The flow with the questions it asked (null for a flow opened by a release that kept none) and its affiliate, if any. */
    findAtIdentity(id: string): Promise<IdentityStepRecord | undefined>;
    /** The flow with a reset session token (as `tokens.peek` would classify it), the flow's affiliate and their last `historyLimit` claves. */
    findForPassword(id: string, tokenHash: Buffer, now: Date, historyLimit: number): Promise<PasswordStepRecord | undefined>;
    /** Moves the flow only if it is still in `from`, for a caller that need not know whether it did: it may wait for the commit. */
    advance(id: string, from: FlowState, to: FlowState, expiresAt: Date, now: Date): Promise<void>;
    /** Consumes a live token of `purposes` (as `tokens.consume`) and reads the flow it belongs to, in one statement. */
    findConsuming(tokenHash: Buffer, purposes: readonly TokenPurpose[], now: Date): Promise<{ lookup: TokenLookup; flow: FlowRecord | undefined }>;
    /** Consumes a live token of `purpose` and only then moves the flow, in one statement; false when either failed. */
    moveConsuming(tokenHash: Buffer, purpose: TokenPurpose, id: string, from: FlowState, to: FlowState, expiresAt: Date, now: Date): Promise<boolean>;
    /**
     * Ends the cédula's flows started before `keepId`'s that are past their identity step
     * (waiting for a link or a new clave); a newer one, or one still at its identity step,
     * goes on, and its own link will end this one.
     */
    supersedeOlder(cedula: string, keepId: string, now: Date): Promise<void>;
  };
  tokens: {
    insert(hash: Buffer, token: TokenRecord, now: Date): Promise<void>;
    /** Marks a live token used, atomically; only one caller can ever get `live`. */
    consume(hash: Buffer, purposes: readonly TokenPurpose[], now: Date): Promise<TokenLookup>;
    peek(hash: Buffer, purposes: readonly TokenPurpose[], now: Date): Promise<TokenLookup>;
    revokeLive(cedula: string, purposes: readonly TokenPurpose[], now: Date): Promise<void>;
  };
  registry: {
    affiliate(cedula: string): Promise<AffiliateProfile | undefined>;
    /**
     * The cédula's affiliate and employment history, and for each point of the sample ring
     * (0 ≤ point < 2^63) the employment row at or after it, its employer named as the
     * employers table names it (null when the registry has no employment): rows come up in
     * proportion to their number, as right answers do. One statement. Undefined, without
     * that work, when the CAPTCHA of `captchaHash` was used already.
     */
    identity(cedula: string, points: readonly bigint[], captchaHash: Buffer): Promise<IdentityRecord | undefined>;
  };
  accounts: {
    find(cedula: string): Promise<AccountRecord | undefined>;
    claveHistory(cedula: string, limit: number): Promise<ClaveHistory>;
    /**
     * Sets the clave, records the old one in history (keeping the newest `historyKept`), activates and unlocks, resets counters, moves the clave version.
     * With `replacing` (the clave version just verified), only while the account is still active with that clave; false when it is not.
     */
    setPassword(cedula: string, hash: string, now: Date, historyKept: number, replacing?: number): Promise<boolean>;
    /** Clears a lock and the failure count, the clave staying; true when the account has a clave to sign in with. */
    unlock(cedula: string, now: Date): Promise<boolean>;
    /** "No fui yo": locks the account until a new clave is set; Desbloquear cannot lift it. */
    disown(cedula: string, now: Date): Promise<void>;
  };
  sessions: {
    create(idHash: Buffer, session: NewSession): Promise<void>;
    /** The live session with this id, its idle deadline moved forward; undefined when ended or expired. */
    touch(idHash: Buffer, now: Date, idleExpiresAt: Date): Promise<SessionRecord | undefined>;
    listLive(cedula: string, now: Date): Promise<SessionRecord[]>;
    revoke(idHash: Buffer, now: Date): Promise<void>;
    revokeAll(cedula: string, now: Date, exceptIdHash?: Buffer): Promise<void>;
  };
  outcomes: {
    /** Stores the verdict and moves its flow out of `from`, in one statement; false when the flow was no longer there. */
    recordMoving(outcome: IdentityOutcome, from: FlowState, to: FlowState): Promise<boolean>;
    /** Whether any outcome waits for its follow-up (cheap: no transaction needed to ask). */
    anyPending(): Promise<boolean>;
    /** The oldest unprocessed outcome, locked for this transaction (skipping ones other instances hold). */
    claimNext(): Promise<PendingOutcome | undefined>;
    markProcessed(flowId: string, at: Date): Promise<void>;
  };
  identityFailures: {
    /** Holds a per-cédula lock until the transaction ends. */
    lock(cedulaRef: Buffer): Promise<void>;
    /**
     * Failures since `since`, the recovery mail queued since `mailSince`, and where the
     * verdict's flow stands now (its state and deadline, as committed once the lock is
     * held), and whether the account is locked by "No fui yo", which a follow-up needs
     * next: one read.
     */
    tally(cedulaRef: Buffer, flowId: string, since: Date, mailSince: Date): Promise<{ failures: number; recentMail: RecentMail; flowNow: Pick<FlowRecord, 'state' | 'expiresAt'>; disowned: boolean }>;
    record(cedulaRef: Buffer, at: Date): Promise<void>;
  };
  outbox: {
    enqueue(message: OutboxMessage, now: Date): Promise<void>;
  };
  audit: {
    record(event: AuditEvent): Promise<void>;
  };
}

export interface RecoveryStorage {
  stores: RecoveryStores;
  transaction<T>(work: (stores: RecoveryStores) => Promise<T>): Promise<T>;
}

export type Clock = () => Date;
