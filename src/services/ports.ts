import type { AffiliateRecord, EmploymentRecord } from '../domain/registry.ts';

export interface UpsertCounts {
  inserted: number;
  updated: number;
}

/** Where the affiliate registry is kept. Upserts leave identical rows untouched. */
export interface RegistryStore {
  upsertAffiliates(records: readonly AffiliateRecord[]): Promise<UpsertCounts>;
  upsertEmployment(records: readonly EmploymentRecord[]): Promise<UpsertCounts>;
  /** Which of these cédulas are in the registry. */
  knownCedulas(cedulas: readonly string[]): Promise<Set<string>>;
  countAffiliates(): Promise<number>;
}

/** Small facts about the installation, such as whether the demo registry was loaded. */
export interface SettingsStore {
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string): Promise<void>;
  /** Stores the value only if the key has none yet (the first of racing instances wins); returns the stored value. */
  setOnce(key: string, value: string): Promise<string>;
}

export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
  html: string;
  messageId?: string;
}

/** Sends one e-mail now; the outbox worker is its only caller in production paths. */
export interface MailTransport {
  send(mail: OutgoingMail): Promise<void>;
  close(): Promise<void>;
}

/** Whether this instance can serve (the database answers and its schema is current), and its queues. */
export interface ReadinessProbe {
  isReady(): Promise<boolean>;
  /** Messages in the outbox not yet delivered; undefined when the database does not answer. */
  outboxPending(): Promise<number | undefined>;
}

/** The storage could not be reached: the person is told CLV-090, never a stack. */
export class StorageUnavailable extends Error {
  constructor(cause: unknown) {
    super('storage unavailable', { cause });
    this.name = 'StorageUnavailable';
  }
}

/** More work waits than the service takes on (the argon2id queue is full): CLV-090, try again shortly. */
export class Overloaded extends Error {
  /** `retryAfterSeconds`: when trying again has a chance (the answer's Retry-After). */
  constructor(
    what: string,
    readonly retryAfterSeconds = 5,
  ) {
    super(`${what} overloaded`);
    this.name = 'Overloaded';
  }
}

/**
 * Queued work dropped because its client hung up before its turn: shed like an overload
 * (nobody reads the answer), so that a client that gives up costs no argon2id.
 */
export class Abandoned extends Overloaded {
  constructor(what: string) {
    super(what);
    this.name = 'Abandoned';
    this.message = `${what}: the client left before its turn`;
  }
}

export interface MailboxMessage {
  id: string;
  receivedAt: Date;
  from: string;
  to: string[];
  subject: string;
  text: string;
  html: string | undefined;
  messageId: string | undefined;
}

/** The development mailbox behind /dev/correo (the built-in catcher). */
export interface DevMailbox {
  /** Newest first. */
  list(): MailboxMessage[];
  find(id: string): MailboxMessage | undefined;
}

export interface OutgoingSms {
  to: string;
  text: string;
  messageId: string;
}

/** Sends one SMS now (an HTTP gateway, or the development mailbox). */
export interface SmsTransport {
  send(sms: OutgoingSms): Promise<void>;
}
