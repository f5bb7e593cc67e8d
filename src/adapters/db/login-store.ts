import { maskCedula } from '../../domain/cedula.ts';
import type { AccountRecord } from '../../services/recovery-ports.ts';
import type { LoginAudit, LoginStore } from '../../services/account/login-ports.ts';
import type { Sql } from './database.ts';

interface StateRow {
  cedula: string | null;
  status: AccountRecord['status'] | null;
  password_hash: string | null;
  kba_epoch: number | null;
  failures: number | null;
}

/** audit_events columns a login writes, in the order of `auditValues`. */
const AUDIT_COLUMNS = 'occurred_at, event, outcome, cedula_masked, cedula_ref, ip, user_agent';

const auditValues = (ref: Buffer, audit: LoginAudit) => [audit.at, audit.event, maskCedula(audit.cedula), ref, audit.ip ?? null, audit.userAgent?.slice(0, 300) ?? null];

export function loginStore(db: Sql): LoginStore {
  return {
    async state(cedula, ref) {
      const [row] = await db.query<StateRow>(
        `SELECT a.cedula, a.status, a.password_hash, a.kba_epoch,
           (SELECT failures FROM login_failures WHERE cedula_ref = $2) AS failures
         FROM (VALUES (1)) AS one LEFT JOIN accounts a ON a.cedula = $1`,
        [cedula, ref],
      );
      const account = row?.cedula ? { cedula: row.cedula, status: row.status!, passwordHash: row.password_hash, kbaEpoch: row.kba_epoch! } : undefined;
      return { account, failures: row?.failures ?? 0 };
    },
    async succeed(ref, idHash, session, audit) {
      // Data-modifying CTEs always run to completion: one atomic statement, three writes.
      await db.query(
        `WITH reset AS (DELETE FROM login_failures WHERE cedula_ref = $4),
         opened AS (
           INSERT INTO sessions (id_hash, cedula, created_at, last_seen_at, idle_expires_at, absolute_expires_at, ip, user_agent)
           VALUES ($7, $8, $9, $9, $10, $11, $12, $13))
         INSERT INTO audit_events (${AUDIT_COLUMNS}) VALUES ($1, $2, 'ok', $3, $4, $5, $6)`,
        [
          ...auditValues(ref, audit),
          idHash, session.cedula, session.createdAt, session.idleExpiresAt, session.absoluteExpiresAt, session.ip ?? null, session.userAgent?.slice(0, 300) ?? null,
        ],
      );
    },
    async fail(ref, maxFailures, audit) {
      const [row] = await db.query<{ failures: number }>(
        `WITH counted AS (
           INSERT INTO login_failures (cedula_ref, failures, last_failed_at) VALUES ($4, 1, $1)
           ON CONFLICT (cedula_ref) DO UPDATE SET failures = login_failures.failures + 1, last_failed_at = $1
           RETURNING failures),
         locked AS (
           UPDATE accounts SET status = 'locked', locked_at = $1, updated_at = $1
           WHERE cedula = $8 AND (SELECT failures FROM counted) >= $7),
         audited AS (
           INSERT INTO audit_events (${AUDIT_COLUMNS})
           SELECT $1, $2, CASE WHEN failures >= $7 THEN 'locked_now' ELSE 'failed' END, $3, $4, $5, $6 FROM counted)
         SELECT failures FROM counted`,
        [...auditValues(ref, audit), maxFailures, audit.cedula],
      );
      return row!.failures;
    },
    async refuseLocked(ref, audit) {
      await db.query(`INSERT INTO audit_events (${AUDIT_COLUMNS}) VALUES ($1, $2, 'locked', $3, $4, $5, $6)`, auditValues(ref, audit));
    },
    async rehash(cedula, from, to) {
      await db.query('UPDATE accounts SET password_hash = $3 WHERE cedula = $1 AND password_hash = $2', [cedula, from, to]);
    },
  };
}
