import type { RecoveryStores, SessionRecord } from '../../services/recovery-ports.ts';
import type { Sql } from './database.ts';

interface SessionRow {
  id_hash: Buffer;
  cedula: string;
  created_at: Date;
  last_seen_at: Date;
  ip: string | null;
  user_agent: string | null;
}

const toSession = (row: SessionRow): SessionRecord => ({
  ref: Buffer.from(row.id_hash).toString('hex'),
  cedula: row.cedula,
  createdAt: row.created_at,
  lastSeenAt: row.last_seen_at,
  ip: row.ip,
  userAgent: row.user_agent,
});

const SESSION_COLUMNS = 'id_hash, cedula, created_at, last_seen_at, ip, user_agent';

export function sessionStore(db: Sql): RecoveryStores['sessions'] {
  return {
    async create(idHash, session) {
      await db.query(
        'INSERT INTO sessions (id_hash, cedula, created_at, last_seen_at, idle_expires_at, absolute_expires_at, ip, user_agent) VALUES ($1, $2, $3, $3, $4, $5, $6, $7)',
        [idHash, session.cedula, session.createdAt, session.idleExpiresAt, session.absoluteExpiresAt, session.ip ?? null, session.userAgent?.slice(0, 300) ?? null],
      );
    },
    async touch(idHash, now, idleExpiresAt) {
      const [row] = await db.query<SessionRow>(
        `UPDATE sessions SET last_seen_at = $2, idle_expires_at = $3
         WHERE id_hash = $1 AND revoked_at IS NULL AND idle_expires_at > $2 AND absolute_expires_at > $2
         RETURNING ${SESSION_COLUMNS}`,
        [idHash, now, idleExpiresAt],
      );
      return row && toSession(row);
    },
    async listLive(cedula, now) {
      const rows = await db.query<SessionRow>(
        `SELECT ${SESSION_COLUMNS} FROM sessions WHERE cedula = $1 AND revoked_at IS NULL AND idle_expires_at > $2 AND absolute_expires_at > $2 ORDER BY last_seen_at DESC`,
        [cedula, now],
      );
      return rows.map(toSession);
    },
    async revoke(idHash, now) {
      await db.query('UPDATE sessions SET revoked_at = $2 WHERE id_hash = $1 AND revoked_at IS NULL', [idHash, now]);
    },
    async revokeAll(cedula, now, exceptIdHash) {
      await db.query('UPDATE sessions SET revoked_at = $2 WHERE cedula = $1 AND revoked_at IS NULL AND id_hash IS DISTINCT FROM $3', [cedula, now, exceptIdHash ?? null]);
    },
  };
}

