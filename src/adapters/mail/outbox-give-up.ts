import type { Logger } from 'pino';
import type { Sql } from '../db/database.ts';

/** A message claimed from the outbox by a worker. */
export interface Claimed {
  id: number;
  channel: 'email' | 'sms';
  recipient: string;
  attempts: number;
  message: { subject: string; text: string; html: string; messageId: string };
  /** A link mail's deadline: its link's expiry. */
  deliver_by: Date | null;
}

/** What is kept of a message once it has left the queue: never its body, which may hold a link's token. */
export const KEPT_OF_MESSAGE = "jsonb_build_object('messageId', o.message->'messageId', 'subject', o.message->'subject')";

/**
 * The server refused the recipient for good: enhanced status 5.1.0–5.1.6 (no such mailbox
 * or domain, a bad address) on RCPT TO. Not the sender (5.1.7, 5.1.8), a policy (5.7.x) or
 * a server without enhanced codes: those may be the relay's configuration, and giving up
 * on them would lose every message.
 */
export function recipientDoesNotExist(error: unknown): boolean {
  const { code, command, response } = error as { code?: string; command?: string; response?: unknown };
  return code === 'EENVELOPE' && command === 'RCPT TO' && typeof response === 'string' && /^5\d\d[ -]5\.1\.[0-6]\b/.test(response);
}

/**
 * Takes a message off the queue for good, while it is still this worker's claim. Its body
 * goes as on delivery; an audit event, under the cédula's reference, tells staff why the
 * person got nothing.
 */
export async function giveUp(db: Sql, logger: Logger, now: Date, item: Claimed, reason: 'link_expired' | 'recipient_rejected', lastError: string): Promise<void> {
  const given = await db.query(
    `WITH dropped AS (
       UPDATE outbox o SET given_up_at = $2, last_error = $3, message = ${KEPT_OF_MESSAGE}
       WHERE id = $1 AND attempts = $4 AND sent_at IS NULL AND given_up_at IS NULL RETURNING cedula_ref, channel)
     INSERT INTO audit_events (occurred_at, event, outcome, cedula_ref, detail)
     SELECT $2, 'mail', 'given_up', cedula_ref, jsonb_build_object('reason', $5::text, 'channel', channel) FROM dropped RETURNING 1`,
    [item.id, now, lastError.slice(0, 500), item.attempts, reason],
  );
  if (given.length > 0) logger.warn({ outboxId: item.id, channel: item.channel, attempts: item.attempts, reason }, 'message given up: it can no longer be delivered usefully');
}
