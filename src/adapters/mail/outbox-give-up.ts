import type { Logger } from 'pino';
import { AUDIT_INSERT } from '../db/audit-row.ts';
import type { Sql } from '../db/database.ts';

/** A message claimed from the outbox by a worker. */
export interface Claimed {
  id: number;
  channel: 'email' | 'sms';
  recipient: string;
  attempts: number;
  message: { subject: string; text: string; html: string; messageId: string };
  created_at: Date;
  /** A link mail's deadline: its link's expiry. */
  deliver_by: Date | null;
}

/** A message still to be sent: neither delivered nor given up (outbox_pending indexes exactly these). */
export const PENDING = 'sent_at IS NULL AND given_up_at IS NULL';

/** What is kept of a message once it has left the queue: never its body, which may hold a link's token. */
export const KEPT_OF_MESSAGE = "jsonb_build_object('messageId', o.message->'messageId', 'subject', o.message->'subject')";

/**
 * How long a message must have waited before a refusal of its recipient as nonexistent
 * gives it up: a relay that wrongly refuses good addresses (a domain it takes for its own,
 * a misconfiguration) shows in the pending count and is put right well within a day.
 */
const REFUSED_FOR_MS = 24 * 3_600_000;

/**
 * The server refuses the recipient as nonexistent: enhanced status 5.1.1 (no such mailbox),
 * 5.1.2 (no such domain), 5.1.3 (a malformed address) or 5.1.6 (moved) on RCPT TO. Not 5.1.0
 * (which servers also send for SPF and sender refusals), the sender (5.1.7, 5.1.8), a policy
 * (5.7.x) or a server without enhanced codes: those are the relay's or the sender's
 * problem, and giving up on them would drop every message.
 */
function refusedAsNonexistent(error: unknown): boolean {
  const { code, command, response } = error as { code?: string; command?: string; response?: unknown };
  return code === 'EENVELOPE' && command === 'RCPT TO' && typeof response === 'string' && /^5\d\d[ -]5\.1\.[1236]\b/.test(response);
}

/** Why a message should be given up rather than tried again, or undefined. */
export function reasonToGiveUp(item: Claimed, now: Date, error?: unknown): 'link_expired' | 'recipient_rejected' | undefined {
  if (item.deliver_by && item.deliver_by.getTime() <= now.getTime()) return 'link_expired';
  if (item.channel === 'email' && error !== undefined && refusedAsNonexistent(error) && now.getTime() - item.created_at.getTime() >= REFUSED_FOR_MS) return 'recipient_rejected';
  return undefined;
}

/**
 * Takes a message off the queue for good, while it is still this worker's claim. Its body
 * goes as on delivery; an audit event, under the cédula's reference, tells staff why the
 * person got nothing (only the reference is known here: no masked cédula, flow, IP or user
 * agent). It is never due again, and its last error moves to given_up_reason,
 * so a worker of the previous version (which knows neither column) cannot claim it.
 */
export async function giveUp(db: Sql, logger: Logger, now: Date, item: Claimed, reason: 'link_expired' | 'recipient_rejected', why: string): Promise<void> {
  const given = await db.query(
    `WITH dropped AS (
       UPDATE outbox o SET given_up_at = $2, given_up_reason = $3, last_error = NULL, available_at = 'infinity', message = ${KEPT_OF_MESSAGE}
       WHERE id = $1 AND attempts = $4 AND ${PENDING} RETURNING cedula_ref, channel, message->>'messageId' AS message_id)
     ${AUDIT_INSERT}
     SELECT $2, 'mail', 'given_up', NULL, cedula_ref, NULL, NULL, NULL, jsonb_build_object('reason', $5::text, 'channel', channel, 'outboxId', $1::bigint, 'messageId', message_id) FROM dropped RETURNING 1`,
    [item.id, now, why.slice(0, 500), item.attempts, reason],
  );
  if (given.length > 0) logger.warn({ outboxId: item.id, channel: item.channel, attempts: item.attempts, reason }, 'message given up: it can no longer be delivered usefully');
}
