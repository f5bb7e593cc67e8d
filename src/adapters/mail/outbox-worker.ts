import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import type { Database } from '../db/database.ts';
import type { MailTransport, SmsTransport } from '../../services/ports.ts';
import type { Clock } from '../../services/recovery-ports.ts';
import { giveUp, KEPT_OF_MESSAGE, PENDING, reasonToGiveUp, type Claimed } from './outbox-give-up.ts';

export interface OutboxWorkerOptions {
  db: Database;
  transport: MailTransport;
  /** Absent when no SMS channel is configured: SMS rows are then never queued. */
  sms?: SmsTransport;
  clock: Clock;
  logger: Logger;
  pollMs?: number;
  /** Work whose results feed the outbox, run before every pass (identity follow-ups left by any instance). */
  beforePass?: () => Promise<unknown>;
  /** How long a claimed message stays hidden from other workers while it is being sent. */
  leaseMs?: number;
}

const MAX_BACKOFF_MS = 15 * 60_000;
/** Waits before trying again to record a delivery the database failed to record. */
const MARK_SENT_RETRY_MS = [250, 1000, 4000];
const PARALLEL_SENDS = 3;

/** Failures where the server could not be reached at all, rather than refusing the message. */
const SERVER_DOWN = new Set(['ECONNECTION', 'ECONNREFUSED', 'ETIMEDOUT', 'ESOCKET', 'EDNS', 'ECONNRESET']);
const SERVER_DOWN_MAX_BACKOFF_MS = 30_000;

/**
 * 5 s, 10 s, 20 s … up to 15 minutes between attempts; while the server is simply
 * unreachable, at most 30 s, so links (minutes long) still arrive soon after it returns.
 */
export function backoffMs(attempts: number, serverDown = false): number {
  return Math.min(serverDown ? SERVER_DOWN_MAX_BACKOFF_MS : MAX_BACKOFF_MS, 5000 * 2 ** Math.max(0, attempts - 1));
}

/**
 * Delivers what the outbox holds. A message is claimed with FOR UPDATE SKIP LOCKED and
 * a short lease, sent outside any transaction, then marked sent; if the process dies
 * in between, the lease runs out and any instance sends it again with the same
 * Message-ID. A failed send is retried with back-off: an SMTP outage delays mail but
 * loses none.
 */
export function createOutboxWorker(options: OutboxWorkerOptions) {
  const { db, transport, clock, logger } = options;
  const channels = options.sms ? ['email', 'sms'] : ['email'];
  const leaseMs = options.leaseMs ?? 60_000;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<number> | undefined;
  let passRequested = false;
  let stopped = true;
  /** Aborted by stop(): a delivery waiting to be recorded again gets one last try at once. */
  let closing = new AbortController();

  /**
   * Up to `limit` due messages, each leased to this worker; ARRAY() makes the locking
   * subquery run once. The last error is cleared: a message being sent is not waiting out
   * a back-off, so another worker's delivery must not bring it forward (markSent) and let
   * a second worker claim it while the first is still sending it.
   */
  async function claim(limit: number): Promise<Claimed[]> {
    const now = clock();
    return db.query<Claimed>(
      `UPDATE outbox SET available_at = $2, attempts = attempts + 1, last_error = NULL
       WHERE id = ANY(ARRAY(SELECT id FROM outbox WHERE ${PENDING} AND channel = ANY($3::text[]) AND available_at <= $1
                            ORDER BY available_at, id FOR UPDATE SKIP LOCKED LIMIT $4))
       RETURNING id, channel, recipient, attempts, message, created_at, deliver_by`,
      [now, new Date(now.getTime() + leaseMs), channels, limit],
    );
  }

  /** The next batch. Mail kicked before it was claimed is seen by it: no further pass is needed for that. */
  function claimNext(): Promise<Claimed[]> {
    passRequested = false;
    return claim(PARALLEL_SENDS);
  }

  /** Sends one message; true when the server took it, otherwise its retry is scheduled with back-off, or it is given up. */
  async function deliver(item: Claimed): Promise<boolean> {
    // A link mail that arrives after its link has expired would only send the person to an error page.
    const late = reasonToGiveUp(item, clock());
    if (late) {
      await giveUp(db, logger, clock(), item, late, `its link expired at ${item.deliver_by!.toISOString()}, before it could be delivered`);
      return false;
    }
    try {
      if (item.channel === 'sms') await options.sms!.send({ to: item.recipient, text: item.message.text, messageId: item.message.messageId });
      else await transport.send({ to: item.recipient, ...item.message });
      return true;
    } catch (error) {
      const hopeless = reasonToGiveUp(item, clock(), error);
      if (hopeless) {
        await giveUp(db, logger, clock(), item, hopeless, String((error as Error).message));
        return false;
      }
      const serverDown = SERVER_DOWN.has(String((error as { code?: string }).code));
      const retryAt = new Date(clock().getTime() + backoffMs(item.attempts, serverDown));
      // Only while the message is still this worker's claim: after a lease ran out, another may be sending it.
      const rescheduled = await db.query(
        'UPDATE outbox SET available_at = $2, last_error = $3 WHERE id = $1 AND attempts = $4 AND sent_at IS NULL RETURNING id',
        [item.id, retryAt, String((error as Error).message).slice(0, 500), item.attempts],
      );
      const failure = { outboxId: item.id, channel: item.channel, attempts: item.attempts };
      if (rescheduled.length > 0) logger.warn({ ...failure, retryAt }, 'delivery failed; will retry');
      else logger.warn(failure, 'delivery failed after this worker\'s claim ran out; left to the worker that holds it now');
      return false;
    }
  }

  /**
   * Marks a delivered message sent, in one statement with bringing forward whatever of its
   * channel waits out a back-off (the server answers again). Once delivered, the body
   * (which holds the link's token in clear) is not kept: only what identifies the message.
   * Marked only while still this worker's claim, so a send that outlived its lease is not
   * recorded twice; the sent row itself is left out of the second part. True when
   * something was brought forward: it is due now, and the pass goes on to it.
   */
  async function markSent(item: Claimed): Promise<boolean> {
    const [row] = await db.query<{ brought: number }>(
      `WITH sent AS (
         UPDATE outbox o SET sent_at = $1, last_error = NULL, message = ${KEPT_OF_MESSAGE}
         WHERE o.id = $2 AND o.attempts = $3 AND o.sent_at IS NULL),
       forward AS (
         UPDATE outbox SET available_at = $1
         WHERE channel = $4 AND ${PENDING} AND last_error IS NOT NULL AND available_at > $1 AND id <> $2
         RETURNING 1)
       SELECT count(*)::int AS brought FROM forward`,
      [clock(), item.id, item.attempts, item.channel],
    );
    return (row?.brought ?? 0) > 0;
  }

  /**
   * Records a delivery, trying again while the database fails for a moment: a delivery left
   * unrecorded is sent again when its claim runs out, and the person gets it twice. The
   * waits add up to well inside the claim's lease, and stop() cuts them short so that a
   * shutdown is not held up by a database that is down. True when it brought mail forward.
   */
  async function recordSent(item: Claimed): Promise<boolean> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await markSent(item);
      } catch (error) {
        const wait = closing.signal.aborted ? undefined : MARK_SENT_RETRY_MS[attempt];
        if (wait === undefined) {
          logger.error({ err: error, outboxId: item.id }, 'delivered but could not be recorded; it will be sent again when its claim runs out');
          return false;
        }
        logger.warn({ err: error, outboxId: item.id }, 'delivered; recording it failed, trying again');
        await sleep(wait, undefined, { signal: closing.signal }).catch(() => undefined);
      }
    }
  }

  /**
   * Sends everything that is due now, a few at a time; resolves with how many were attempted.
   * A claim that comes back short found everything that was due: the pass ends there, unless
   * a delivery brought mail forward. What is queued after that claim comes with a call, which
   * gets a pass of its own (runOnce).
   */
  async function drain(): Promise<number> {
    let attempted = 0;
    for (;;) {
      const batch = await claimNext();
      // Each marked as soon as it is delivered: one slow send must not hold the others
      // unmarked until the lease runs out and another worker sends them again.
      const broughtForward = await Promise.all(batch.map(async (item) => (await deliver(item)) && recordSent(item)));
      attempted += batch.length;
      if (batch.length < PARALLEL_SENDS && !broughtForward.includes(true)) return attempted;
    }
  }

  async function pass(): Promise<number> {
    try {
      await options.beforePass?.();
      return await drain();
    } catch (error) {
      logger.error({ err: error }, 'outbox worker pass failed');
      return 0;
    }
  }

  /** Passes until no call came after the last claim; `running` is cleared in the same step as that check. */
  async function passes(): Promise<number> {
    let attempted = 0;
    try {
      do {
        passRequested = false;
        attempted += await pass();
      } while (passRequested);
    } finally {
      running = undefined;
    }
    return attempted;
  }

  /**
   * One pass at a time. A call during a pass asks for one more after it: what it queued
   * may have committed after the pass's last claim, and would otherwise wait for the next
   * poll. Callers wait for that pass too, so a resolved drain() has looked after the call.
   */
  function runOnce(): Promise<number> {
    if (running) {
      passRequested = true;
      return running;
    }
    running = passes();
    return running;
  }

  function schedule(): void {
    if (stopped) return;
    timer = setTimeout(() => void runOnce().then(schedule), options.pollMs ?? 1000);
    timer.unref();
  }

  return {
    drain: runOnce,
    /** How many messages are still to be sent (for /metrics); undefined when the database does not answer. */
    pending(): Promise<number | undefined> {
      return db.query<{ pending: number }>(`SELECT count(*) AS pending FROM outbox WHERE ${PENDING}`).then(
        ([row]) => row?.pending ?? 0,
        () => undefined,
      );
    },
    /** Something was just queued: send it now rather than at the next poll. */
    kick(): void {
      if (!stopped) void runOnce();
    },
    start(): void {
      stopped = false;
      if (closing.signal.aborted) closing = new AbortController();
      schedule();
    },
    async stop(): Promise<void> {
      stopped = true;
      closing.abort();
      clearTimeout(timer);
      await running;
    },
  };
}

export type OutboxWorker = ReturnType<typeof createOutboxWorker>;
