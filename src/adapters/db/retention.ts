import type { Logger } from 'pino';
import { periodically, type Periodic } from '../../periodically.ts';
import type { Clock } from '../../services/recovery-ports.ts';
import type { Database } from './database.ts';

/** Rows deleted per statement: short transactions, no long lock on anything live. */
const BATCH = 1_000;

export interface RetentionRules {
  /** RETENTION: how long a row that has stopped mattering is kept before it is deleted. */
  keepMs: number;
  /** IDENTITY_FAILURE_WINDOW: failed identity checks are counted over it, so kept at least that long. */
  identityFailureWindowMs: number;
  /** The daily cap on recovery mail counts what was queued over the last day. */
  mailCapWindowMs: number;
  /** LOGIN_MAX_FAILURES: a count of wrong sign-ins that has reached it is a lock, never deleted. */
  loginMaxFailures: number;
}

interface Purge {
  /** The table, and the key its batches are picked by. */
  table: string;
  key: string;
  /** Rows no rule reads any more, given `$1`, the cutoff, and `$2` on, what `more` gives. */
  dead: string;
  cutoff: (now: Date, rules: RetentionRules) => Date;
  /** Any further parameters `dead` reads. */
  more?: (rules: RetentionRules) => unknown[];
}

const HOUR_MS = 3_600_000;
const before = (now: Date, ms: number) => new Date(now.getTime() - ms);
const afterKeeping = (now: Date, rules: RetentionRules) => before(now, rules.keepMs);
/** Rows a window counts are kept an hour past it, for a verdict worked out a little late. */
const keptPast = (windowMs: number, now: Date, rules: RetentionRules) => before(now, Math.max(rules.keepMs, windowMs + HOUR_MS));

/**
 * What is deleted, and when. Never the audit trail (append-only, its retention is the
 * institute's to decide), accounts or their clave history, the registry, unsent mail, or
 * a login failure count at the lock limit (a lock, even of an unknown cédula, lasts until
 * it is undone).
 */
const PURGES = {
  // Its links and identity verdict go with it (ON DELETE CASCADE; tokens_by_flow finds
  // them). A flow expires within the hour it was created in, so the index on created_at
  // finds it; both are checked. A verdict not yet worked out keeps its flow: the failure
  // it may add to the count must not be lost.
  flows: {
    table: 'recovery_flows',
    key: 'id',
    dead: 'created_at < $1 AND expires_at < $1 AND NOT EXISTS (SELECT 1 FROM identity_outcomes o WHERE o.flow_id = recovery_flows.id AND o.processed_at IS NULL)',
    cutoff: afterKeeping,
  },
  tokens: { table: 'tokens', key: 'token_hash', dead: 'expires_at < $1', cutoff: afterKeeping },
  sessions: { table: 'sessions', key: 'id_hash', dead: 'absolute_expires_at < $1', cutoff: afterKeeping },
  identityFailures: { table: 'identity_failures', key: 'id', dead: 'failed_at < $1', cutoff: (now, rules) => keptPast(rules.identityFailureWindowMs, now, rules) },
  // Delivered mail keeps only its subject and Message-ID (outbox-worker.ts) and still
  // counts against the daily cap; what is still to be delivered is never deleted.
  sentMail: { table: 'outbox', key: 'id', dead: 'sent_at < $1', cutoff: (now, rules) => keptPast(rules.mailCapWindowMs, now, rules) },
  // Mail given up (an expired link, a mailbox that does not exist): the same, body already gone.
  givenUpMail: { table: 'outbox', key: 'id', dead: 'given_up_at < $1', cutoff: (now, rules) => keptPast(rules.mailCapWindowMs, now, rules) },
  // Accepted CAPTCHA challenges matter only until they expire; each new flow also clears some.
  captchaUses: { table: 'captcha_uses', key: 'challenge_hash', dead: 'expires_at < $1', cutoff: (now) => now },
  // Counts of wrong sign-ins below the lock limit, with no attempt for RETENTION: a zero
  // means what no row means, and a higher count lapses. Read off the row alone, the same
  // for every cédula: a rule that looked at the account would tell affiliates apart, and
  // none is needed, as only the count decides the answer (docs/security.md, departure 6).
  // Not indexed: both columns change with every claim, which would then not be HOT.
  loginFailures: {
    table: 'login_failures',
    key: 'cedula_ref',
    dead: 'last_failed_at < $1 AND failures < $2',
    cutoff: afterKeeping,
    more: (rules) => [rules.loginMaxFailures],
  },
} satisfies Record<string, Purge>;

export type PurgeCounts = Record<keyof typeof PURGES, number>;

export interface PurgeOptions {
  /** Checked between batches: once true, the purge ends, so a shutdown need not wait for it. */
  stopping?: () => boolean;
  /** Rows per statement; the bench compares the default with one statement per table. */
  batchRows?: number;
}

/**
 * Deletes one kind of dead row, a batch at a time, until none is left or `stopping()`.
 * Rows another instance is deleting are skipped. `params`: the cutoff, then `more`'s.
 */
async function purgeTable(db: Database, { table, key, dead }: Purge, params: unknown[], { stopping = () => false, batchRows = BATCH }: PurgeOptions): Promise<number> {
  const statement = `DELETE FROM ${table} WHERE ${key} IN (SELECT ${key} FROM ${table} WHERE ${dead} LIMIT ${batchRows} FOR UPDATE SKIP LOCKED)`;
  let deleted = 0;
  while (!stopping()) {
    const [row] = await db.query<{ count: number }>(`WITH gone AS (${statement} RETURNING 1) SELECT count(*)::int AS count FROM gone`, params);
    deleted += row?.count ?? 0;
    if ((row?.count ?? 0) < batchRows) break;
  }
  return deleted;
}

/** Deletes every row past its retention at `now`; returns how many of each kind. */
export async function purgeExpired(db: Database, now: Date, rules: RetentionRules, options: PurgeOptions = {}): Promise<PurgeCounts> {
  const counts = {} as PurgeCounts;
  for (const [kind, purge] of Object.entries(PURGES) as [keyof PurgeCounts, Purge][]) {
    counts[kind] = await purgeTable(db, purge, [purge.cutoff(now, rules), ...(purge.more?.(rules) ?? [])], options);
  }
  return counts;
}

export interface RetentionOptions {
  db: Database;
  clock: Clock;
  logger: Logger;
  rules: RetentionRules;
  /** How often the purge runs (every instance runs it; they skip each other's rows). */
  everyMs: number;
}

export interface Retention {
  /** One purge now. */
  purge(): Promise<PurgeCounts>;
  /** A purge now (not waited for) and then every `everyMs`; a failed one is retried sooner. */
  start(): void;
  /** Ends the schedule; a purge under way ends after its current batch. */
  stop(): Promise<void>;
}

export function createRetention({ db, clock, logger, rules, everyMs }: RetentionOptions): Retention {
  let schedule: Promise<Periodic> | undefined;
  let stopping = false;
  const purge = () => purgeExpired(db, clock(), rules, { stopping: () => stopping });
  const scheduledPurge = () =>
    purge().then(
      (counts) => {
        if (Object.values(counts).some((count) => count > 0)) logger.info({ deleted: counts }, 'retention: deleted rows past their retention');
        return true;
      },
      (error: unknown) => {
        logger.warn({ err: error }, 'retention: purge failed; tried again later');
        return false;
      },
    );
  return {
    purge,
    start() {
      schedule ??= periodically(everyMs, scheduledPurge);
    },
    async stop() {
      stopping = true;
      await (await schedule)?.stop();
    },
  };
}
