import type { AccountRecord } from '../../services/recovery-ports.ts';
import type { LoginAudit, LoginStore } from '../../services/account/login-ports.ts';
import { AUDIT_INSERT, auditValues, Params } from './audit-row.ts';
import type { Sql } from './database.ts';

interface ClaimRow {
  cedula: string | null;
  status: AccountRecord['status'] | null;
  password_hash: string | null;
  clave_version: number | null;
  attempts: number;
}

const loginAudit = (params: Params, ref: Buffer, audit: LoginAudit, outcome: string) => auditValues(params, { ...audit, outcome }, ref);

function lockSql(p: Params, audit: LoginAudit): string {
  const at = p.add(audit.at);
  return `WITH locked AS (UPDATE accounts SET status = 'locked', locked_at = ${at}, updated_at = ${at} WHERE cedula = ${p.add(audit.cedula)}) `;
}

export function loginStore(db: Sql): LoginStore {
  return {
    async claim(cedula, ref, now) {
      // Committed without waiting for the WAL flush: an attempt's outcome is only ever
      // answered after its outcome write, a synchronous commit later in the WAL, whose flush
      // makes this count durable too. A crash before that loses an attempt nobody saw answered.
      const [row] = await db.query<ClaimRow>(
        `WITH no_wait AS (SELECT set_config('synchronous_commit', 'off', true)),
         counted AS (
           INSERT INTO login_failures (cedula_ref, failures, last_failed_at) VALUES ($2, 1, $3)
           ON CONFLICT (cedula_ref) DO UPDATE SET failures = login_failures.failures + 1, last_failed_at = $3
           RETURNING failures)
         SELECT a.cedula, a.status, a.password_hash, a.clave_version, (SELECT failures FROM counted) AS attempts
         FROM no_wait LEFT JOIN accounts a ON a.cedula = $1`,
        [cedula, ref, now],
      );
      const account = row?.cedula ? { cedula: row.cedula, status: row.status!, passwordHash: row.password_hash, claveVersion: row.clave_version! } : undefined;
      return { account, attempts: row!.attempts };
    },
    async unclaim(ref) {
      await db.query('UPDATE login_failures SET failures = failures - 1 WHERE cedula_ref = $1 AND failures > 0', [ref]);
    },
    async reset(ref) {
      await db.query('UPDATE login_failures SET failures = 0 WHERE cedula_ref = $1', [ref]);
    },
    async succeed(ref, claveVersion, idHash, session, audit) {
      // Data-modifying CTEs always run to completion: one atomic statement. FOR SHARE makes
      // a concurrent lock or clave change either wait for this session (and then end it)
      // or win, so that no session is opened. The count is set to zero, not deleted: the
      // row stays for the next claim, updated in place with no index entry to add or vacuum.
      const p = new Params();
      const at = p.add(session.createdAt);
      const [row] = await db.query<{ opened: number }>(
        `WITH live AS (
           SELECT cedula FROM accounts WHERE cedula = ${p.add(session.cedula)} AND status = 'active' AND clave_version = ${p.add(claveVersion)} FOR SHARE),
         opened AS (
           INSERT INTO sessions (id_hash, cedula, created_at, last_seen_at, idle_expires_at, absolute_expires_at, ip, user_agent)
           SELECT ${p.add(idHash)}, cedula, ${at}, ${at}, ${p.add(session.idleExpiresAt)}, ${p.add(session.absoluteExpiresAt)}, ${p.add(session.ip ?? null)}, ${p.add(session.userAgent?.slice(0, 300) ?? null)}
           FROM live RETURNING 1),
         reset AS (UPDATE login_failures SET failures = 0 WHERE cedula_ref = ${p.add(ref)} AND EXISTS (SELECT 1 FROM live)),
         audited AS (${AUDIT_INSERT} SELECT ${auditValues(p, { ...audit, outcome: '' }, ref, "CASE WHEN EXISTS (SELECT 1 FROM live) THEN 'ok' ELSE 'changed_meanwhile' END")})
         SELECT count(*)::int AS opened FROM opened`,
        p.values,
      );
      return row!.opened === 1;
    },
    async fail(ref, lock, audit) {
      const p = new Params();
      const locking = lock ? lockSql(p, audit) : '';
      await db.query(`${locking}${AUDIT_INSERT} VALUES (${loginAudit(p, ref, audit, lock ? 'locked_now' : 'failed')})`, p.values);
    },
    async refuseLocked(ref, audit) {
      const p = new Params();
      await db.query(`${AUDIT_INSERT} VALUES (${loginAudit(p, ref, audit, 'locked')})`, p.values);
    },
    async rehash(cedula, from, to) {
      await db.query('UPDATE accounts SET password_hash = $3 WHERE cedula = $1 AND password_hash = $2', [cedula, from, to]);
    },
    async locksSince(ref, since) {
      const [row] = await db.query<{ total: number }>(
        "SELECT count(*)::int AS total FROM audit_events WHERE cedula_ref = $1 AND outcome = 'locked_now' AND occurred_at > $2",
        [ref, since],
      );
      return row?.total ?? 0;
    },
  };
}
