import { cedulaRef } from '../../domain/tokens.ts';
import type { AccountRecord, ClaveHistory, RecoveryStores } from '../../services/recovery-ports.ts';
import type { Sql } from './database.ts';

/** The current clave and the last `limit` ones of the cédula in `cedula` (SQL expressions), with `accounts acc` joined. */
export const claveColumns = (cedula: string, limit: string) =>
  `acc.password_hash AS current_clave,
   ARRAY(SELECT h.password_hash FROM password_history h WHERE h.cedula = ${cedula} ORDER BY h.created_at DESC, h.id DESC LIMIT ${limit}) AS previous_claves`;

export interface ClaveRow {
  current_clave: string | null;
  previous_claves: string[];
}

export const toClaves = (row: ClaveRow): ClaveHistory => ({ current: row.current_clave ?? undefined, previous: row.previous_claves });

/** Accounts: the clave and its history, unlock, and the lock of "No fui yo". Failure counts are cleared with any change. */
export function accountStore(db: Sql, secret: string): RecoveryStores['accounts'] {
  const clearFailures = (cedula: string) => db.query('DELETE FROM login_failures WHERE cedula_ref = $1', [cedulaRef(secret, cedula)]);
  return {
    async find(cedula) {
      const [row] = await db.query<{ cedula: string; status: AccountRecord['status']; password_hash: string | null; clave_version: number }>(
        'SELECT cedula, status, password_hash, clave_version FROM accounts WHERE cedula = $1',
        [cedula],
      );
      return row && { cedula: row.cedula, status: row.status, passwordHash: row.password_hash, claveVersion: row.clave_version };
    },
    async claveHistory(cedula, limit) {
      const [row] = await db.query<ClaveRow>(`SELECT ${claveColumns('s.cedula', '$2')} FROM (SELECT $1::text AS cedula) s LEFT JOIN accounts acc ON acc.cedula = s.cedula`, [cedula, limit]);
      return toClaves(row!);
    },
    async setPassword(cedula, hash, now, historyKept, replacing) {
      // Pruned before the old clave joins it, so the count is right whether or not the two
      // statements share a snapshot (they do when the transaction holds writes back).
      await db.query(
        `DELETE FROM password_history WHERE cedula = $1 AND id NOT IN (
           SELECT id FROM password_history WHERE cedula = $1 ORDER BY created_at DESC, id DESC LIMIT GREATEST($2::int - 1, 0))`,
        [cedula, historyKept],
      );
      await db.query(
        `INSERT INTO password_history (cedula, password_hash, created_at)
         SELECT cedula, password_hash, $2 FROM accounts WHERE cedula = $1 AND password_hash IS NOT NULL`,
        [cedula, now],
      );
      // RETURNING: sent alone, so it waits for a sign-in that holds the account row, and the
      // revocation of sessions that follows (a later statement) sees that session.
      const set = await db.query(
        `INSERT INTO accounts (cedula, status, password_hash, locked_at, password_changed_at, created_at, updated_at)
         VALUES ($1, 'active', $2, NULL, $3, $3, $3)
         ON CONFLICT (cedula) DO UPDATE SET status = 'active', password_hash = excluded.password_hash,
           locked_at = NULL, disowned_at = NULL, clave_version = accounts.clave_version + 1, password_changed_at = $3, updated_at = $3
         WHERE $4::int IS NULL OR (accounts.status = 'active' AND accounts.clave_version = $4)
         RETURNING cedula`,
        [cedula, hash, now, replacing ?? null],
      );
      if (set.length === 0) return false;
      await clearFailures(cedula);
      return true;
    },
    async unlock(cedula, now) {
      const [account] = await db.query<{ has_clave: boolean }>(
        `UPDATE accounts SET status = CASE WHEN password_hash IS NULL THEN 'none' ELSE 'active' END, locked_at = NULL,
           updated_at = $2 WHERE cedula = $1 RETURNING password_hash IS NOT NULL AS has_clave`,
        [cedula, now],
      );
      await clearFailures(cedula);
      return account?.has_clave ?? false;
    },
    async disown(cedula, now) {
      // RETURNING: sent alone, not held back with the session revocation that follows (see setPassword).
      await db.query(
        `INSERT INTO accounts (cedula, status, locked_at, disowned_at, created_at, updated_at) VALUES ($1, 'locked', $2, $2, $2, $2)
         ON CONFLICT (cedula) DO UPDATE SET status = 'locked', locked_at = $2, disowned_at = $2, updated_at = $2
         RETURNING cedula`,
        [cedula, now],
      );
    },
  };
}
