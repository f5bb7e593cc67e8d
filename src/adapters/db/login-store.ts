import { maskCedula } from '../../domain/cedula.ts';
import type { AccountRecord } from '../../services/recovery-ports.ts';
import type { LoginAudit, LoginStore } from '../../services/account/login-ports.ts';
import type { Sql } from './database.ts';

interface ClaimRow {
  cedula: string | null;
  status: AccountRecord['status'] | null;
  password_hash: string | null;
  kba_epoch: number | null;
  attempts: number;
}

/** audit_events columns a login writes, in the order of `auditValues`. */
const AUDIT_COLUMNS = 'occurred_at, event, outcome, cedula_masked, cedula_ref, ip, user_agent';

const auditValues = (ref: Buffer, audit: LoginAudit) => [audit.at, audit.event, maskCedula(audit.cedula), ref, audit.ip ?? null, audit.userAgent?.slice(0, 300) ?? null];

export function loginStore(db: Sql): LoginStore {
  return {
    async claim(cedula, ref, now) {
      const [row] = await db.query<ClaimRow>(
        `WITH counted AS (
           INSERT INTO login_failures (cedula_ref, failures, last_failed_at) VALUES ($2, 1, $3)
           ON CONFLICT (cedula_ref) DO UPDATE SET failures = login_failures.failures + 1, last_failed_at = $3
           RETURNING failures)
         SELECT a.cedula, a.status, a.password_hash, a.kba_epoch, (SELECT failures FROM counted) AS attempts
         FROM (VALUES (1)) AS one LEFT JOIN accounts a ON a.cedula = $1`,
        [cedula, ref, now],
      );
      const account = row?.cedula ? { cedula: row.cedula, status: row.status!, passwordHash: row.password_hash, kbaEpoch: row.kba_epoch! } : undefined;
      return { account, attempts: row!.attempts };
    },
    async unclaim(ref) {
      await db.query('UPDATE login_failures SET failures = failures - 1 WHERE cedula_ref = $1 AND failures > 0', [ref]);
    },
    async succeed(ref, verifiedHash, idHash, session, audit) {
      // Data-modifying CTEs always run to completion: one atomic statement. FOR SHARE makes
      // a concurrent lock or clave change either wait for this session (and then end it)
      // or win, so that no session is opened.
      const [row] = await db.query<{ opened: number }>(
        `WITH live AS (
           SELECT cedula FROM accounts WHERE cedula = $8 AND status = 'active' AND password_hash = $14 FOR SHARE),
         opened AS (
           INSERT INTO sessions (id_hash, cedula, created_at, last_seen_at, idle_expires_at, absolute_expires_at, ip, user_agent)
           SELECT $7, cedula, $9, $9, $10, $11, $12, $13 FROM live RETURNING 1),
         reset AS (DELETE FROM login_failures WHERE cedula_ref = $4 AND EXISTS (SELECT 1 FROM live)),
         audited AS (
           INSERT INTO audit_events (${AUDIT_COLUMNS})
           SELECT $1, $2, CASE WHEN EXISTS (SELECT 1 FROM live) THEN 'ok' ELSE 'changed_meanwhile' END, $3, $4, $5, $6)
         SELECT count(*)::int AS opened FROM opened`,
        [
          ...auditValues(ref, audit),
          idHash, session.cedula, session.createdAt, session.idleExpiresAt, session.absoluteExpiresAt, session.ip ?? null, session.userAgent?.slice(0, 300) ?? null,
          verifiedHash,
        ],
      );
      return row!.opened === 1;
    },
    async fail(ref, lock, audit) {
      await db.query(
        `WITH locked AS (UPDATE accounts SET status = 'locked', locked_at = $1, updated_at = $1 WHERE $7 AND cedula = $8)
         INSERT INTO audit_events (${AUDIT_COLUMNS}) VALUES ($1, $2, CASE WHEN $7 THEN 'locked_now' ELSE 'failed' END, $3, $4, $5, $6)`,
        [...auditValues(ref, audit), lock, audit.cedula],
      );
    },
    async refuseLocked(ref, audit) {
      await db.query(`INSERT INTO audit_events (${AUDIT_COLUMNS}) VALUES ($1, $2, 'locked', $3, $4, $5, $6)`, auditValues(ref, audit));
    },
    async rehash(cedula, from, to) {
      await db.query('UPDATE accounts SET password_hash = $3 WHERE cedula = $1 AND password_hash = $2', [cedula, from, to]);
    },
    async locksSince(ref, since) {
      const [row] = await db.query<{ total: number }>(
        "SELECT count(*)::int AS total FROM audit_events WHERE cedula_ref = $1 AND event = 'login' AND outcome = 'locked_now' AND occurred_at > $2",
        [ref, since],
      );
      return row?.total ?? 0;
    },
  };
}
