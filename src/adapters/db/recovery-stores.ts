import { maskCedula } from '../../domain/cedula.ts';
import { cedulaRef } from '../../domain/tokens.ts';
import type { EmploymentFact } from '../../domain/knowledge-questions.ts';
import type { AccountRecord, AffiliateProfile, FlowRecord, IdentityOutcome, RecoveryStores } from '../../services/recovery-ports.ts';
import type { Sql } from './database.ts';
import { createEmployerPool } from './employer-pool.ts';
import { sessionStore } from './session-store.ts';
import { tokenStore } from './token-store.ts';

interface FlowRow {
  id: string;
  kind: FlowRecord['kind'];
  cedula: string;
  state: FlowRecord['state'];
  locale: FlowRecord['locale'];
  created_at: Date;
  expires_at: Date;
}

const toFlow = (row: FlowRow): FlowRecord => ({
  id: row.id,
  kind: row.kind,
  cedula: row.cedula,
  state: row.state,
  locale: row.locale,
  createdAt: row.created_at,
  expiresAt: row.expires_at,
});

function accountStore(db: Sql, secret: string): RecoveryStores['accounts'] {
  const clearFailures = (cedula: string) => db.query('DELETE FROM login_failures WHERE cedula_ref = $1', [cedulaRef(secret, cedula)]);
  return {
    async find(cedula) {
      const [row] = await db.query<{ cedula: string; status: AccountRecord['status']; password_hash: string | null; kba_epoch: number }>(
        'SELECT cedula, status, password_hash, kba_epoch FROM accounts WHERE cedula = $1',
        [cedula],
      );
      return row && { cedula: row.cedula, status: row.status, passwordHash: row.password_hash, kbaEpoch: row.kba_epoch };
    },
    async recentPasswordHashes(cedula, limit) {
      const current = await db.query<{ password_hash: string }>('SELECT password_hash FROM accounts WHERE cedula = $1 AND password_hash IS NOT NULL', [cedula]);
      const previous = await db.query<{ password_hash: string }>('SELECT password_hash FROM password_history WHERE cedula = $1 ORDER BY created_at DESC, id DESC LIMIT $2', [cedula, limit]);
      return [...current, ...previous].map((row) => row.password_hash);
    },
    async setPassword(cedula, hash, now) {
      await db.query(
        `INSERT INTO password_history (cedula, password_hash, created_at)
         SELECT cedula, password_hash, $2 FROM accounts WHERE cedula = $1 AND password_hash IS NOT NULL`,
        [cedula, now],
      );
      await db.query(
        `INSERT INTO accounts (cedula, status, password_hash, failed_logins, locked_at, kba_epoch, password_changed_at, created_at, updated_at)
         VALUES ($1, 'active', $2, 0, NULL, 1, $3, $3, $3)
         ON CONFLICT (cedula) DO UPDATE SET status = 'active', password_hash = excluded.password_hash, failed_logins = 0,
           locked_at = NULL, kba_epoch = accounts.kba_epoch + 1, password_changed_at = $3, updated_at = $3`,
        [cedula, hash, now],
      );
      await clearFailures(cedula);
    },
    async unlock(cedula, now) {
      await db.query(
        `UPDATE accounts SET status = CASE WHEN password_hash IS NULL THEN 'none' ELSE 'active' END, failed_logins = 0, locked_at = NULL,
           kba_epoch = kba_epoch + 1, updated_at = $2 WHERE cedula = $1`,
        [cedula, now],
      );
      await clearFailures(cedula);
    },
    async lock(cedula, now) {
      await db.query(
        `INSERT INTO accounts (cedula, status, locked_at, created_at, updated_at) VALUES ($1, 'locked', $2, $2, $2)
         ON CONFLICT (cedula) DO UPDATE SET status = 'locked', locked_at = $2, updated_at = $2`,
        [cedula, now],
      );
    },
  };
}

function registryReader(db: Sql, employerPool: () => Promise<string[]>): RecoveryStores['registry'] {
  return {
    async affiliate(cedula) {
      const [row] = await db.query<{ cedula: string; nombres: string; apellidos: string; fecha_nacimiento: string; correo: string | null; celular: string | null; datos_verificados: boolean }>(
        'SELECT cedula, nombres, apellidos, fecha_nacimiento, correo, celular, datos_verificados FROM affiliates WHERE cedula = $1',
        [cedula],
      );
      return row && ({
        cedula: row.cedula,
        nombres: row.nombres,
        apellidos: row.apellidos,
        fechaNacimiento: row.fecha_nacimiento,
        correo: row.correo,
        celular: row.celular,
        datosVerificados: row.datos_verificados,
      } satisfies AffiliateProfile);
    },
    async history(cedula) {
      const rows = await db.query<{ ruc_empleador: string; empleador: string; fecha_inicio: string; fecha_fin: string | null }>(
        'SELECT ruc_empleador, empleador, fecha_inicio, fecha_fin FROM employment WHERE cedula = $1 ORDER BY fecha_inicio',
        [cedula],
      );
      return rows.map((row): EmploymentFact => ({ rucEmpleador: row.ruc_empleador, empleador: row.empleador, fechaInicio: row.fecha_inicio, fechaFin: row.fecha_fin }));
    },
    employerPool,
  };
}

function bind(db: Sql, secret: string, employerPool: () => Promise<string[]>): RecoveryStores {
  return {
    flows: {
      async create(flow) {
        await db.query('INSERT INTO recovery_flows (id, kind, cedula, state, locale, created_at, updated_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $6, $7)', [
          flow.id, flow.kind, flow.cedula, flow.state, flow.locale, flow.createdAt, flow.expiresAt,
        ]);
      },
      async find(id) {
        const [row] = await db.query<FlowRow>('SELECT id, kind, cedula, state, locale, created_at, expires_at FROM recovery_flows WHERE id = $1', [id]);
        return row && toFlow(row);
      },
      async move(id, from, to, expiresAt, now) {
        const rows = await db.query('UPDATE recovery_flows SET state = $3, expires_at = $4, updated_at = $5 WHERE id = $1 AND state = $2 RETURNING id', [id, from, to, expiresAt, now]);
        return rows.length === 1;
      },
      async supersedeOthers(cedula, keepId, now) {
        await db.query(
          "UPDATE recovery_flows SET state = 'superseded', updated_at = $3 WHERE cedula = $1 AND id <> $2 AND state IN ('identity', 'check_email', 'set_password')",
          [cedula, keepId, now],
        );
      },
    },
    tokens: tokenStore(db),
    registry: registryReader(db, employerPool),
    accounts: accountStore(db, secret),
    sessions: sessionStore(db),
    loginFailures: {
      async count(ref) {
        const [row] = await db.query<{ failures: number }>('SELECT failures FROM login_failures WHERE cedula_ref = $1', [ref]);
        return row?.failures ?? 0;
      },
      async increment(ref, now) {
        const [row] = await db.query<{ failures: number }>(
          `INSERT INTO login_failures (cedula_ref, failures, last_failed_at) VALUES ($1, 1, $2)
           ON CONFLICT (cedula_ref) DO UPDATE SET failures = login_failures.failures + 1, last_failed_at = $2
           RETURNING failures`,
          [ref, now],
        );
        return row!.failures;
      },
      async reset(ref) {
        await db.query('DELETE FROM login_failures WHERE cedula_ref = $1', [ref]);
      },
    },
    outcomes: {
      async record(outcome) {
        await db.query('INSERT INTO identity_outcomes (flow_id, verdict, submitted_at, link_expires_at, ip, user_agent) VALUES ($1, $2, $3, $4, $5, $6)', [
          outcome.flowId, outcome.verdict, outcome.submittedAt, outcome.linkExpiresAt, outcome.ip ?? null, outcome.userAgent?.slice(0, 300) ?? null,
        ]);
      },
      async claimNext() {
        const [row] = await db.query<{ flow_id: string; verdict: IdentityOutcome['verdict']; submitted_at: Date; link_expires_at: Date; ip: string | null; user_agent: string | null }>(
          'SELECT flow_id, verdict, submitted_at, link_expires_at, ip, user_agent FROM identity_outcomes WHERE processed_at IS NULL ORDER BY submitted_at FOR UPDATE SKIP LOCKED LIMIT 1',
        );
        if (!row) return undefined;
        return { flowId: row.flow_id, verdict: row.verdict, submittedAt: row.submitted_at, linkExpiresAt: row.link_expires_at, ...(row.ip ? { ip: row.ip } : {}), ...(row.user_agent ? { userAgent: row.user_agent } : {}) };
      },
      async markProcessed(flowId, at) {
        await db.query('UPDATE identity_outcomes SET processed_at = $2 WHERE flow_id = $1', [flowId, at]);
      },
    },
    identityFailures: {
      async lock(ref) {
        await db.query('SELECT pg_advisory_xact_lock($1::bigint)', [ref.readBigInt64BE(0).toString()]);
      },
      async countSince(ref, since) {
        const [row] = await db.query<{ total: number }>('SELECT count(*) AS total FROM identity_failures WHERE cedula_ref = $1 AND failed_at > $2', [ref, since]);
        return row?.total ?? 0;
      },
      async record(ref, at) {
        await db.query('INSERT INTO identity_failures (cedula_ref, failed_at) VALUES ($1, $2)', [ref, at]);
      },
    },
    outbox: {
      async enqueue(message, now) {
        await db.query(
          'INSERT INTO outbox (channel, recipient, category, cedula_ref, message, created_at, available_at) VALUES ($1, $2, $3, $4, $5, $6, $7)',
          [message.channel, message.recipient, message.category, message.cedulaRef, JSON.stringify(message.message), now, message.availableAt],
        );
      },
      async recoveryMailSince(ref, since) {
        const [row] = await db.query<{ total: number; latest: Date | null }>(
          "SELECT count(*) AS total, max(available_at) AS latest FROM outbox WHERE cedula_ref = $1 AND category = 'recovery' AND created_at > $2",
          [ref, since],
        );
        return { count: row?.total ?? 0, latest: row?.latest ?? undefined };
      },
    },
    audit: {
      async record(event) {
        await db.query(
          'INSERT INTO audit_events (occurred_at, event, outcome, cedula_masked, cedula_ref, flow_id, ip, user_agent, detail) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)',
          [
            event.at, event.event, event.outcome,
            event.cedula ? maskCedula(event.cedula) : null,
            event.cedula ? cedulaRef(secret, event.cedula) : null,
            event.flowId ?? null, event.ip ?? null, event.userAgent?.slice(0, 300) ?? null,
            JSON.stringify(event.detail ?? {}),
          ],
        );
      },
    },
    captcha: {
      async claim(hash, expiresAt, now) {
        await db.query('DELETE FROM captcha_uses WHERE expires_at < $1', [now]);
        const rows = await db.query('INSERT INTO captcha_uses (challenge_hash, expires_at) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING challenge_hash', [hash, expiresAt]);
        return rows.length === 1;
      },
    },
  };
}

export interface RecoveryStorageOptions {
  secret: string;
  employerPoolTtlMs?: number;
}

export function createRecoveryStorage(db: import('./database.ts').Database, options: RecoveryStorageOptions) {
  const pool = createEmployerPool(db, options.employerPoolTtlMs ?? 5 * 60_000);
  return {
    stores: bind(db, options.secret, pool),
    transaction: <T>(work: (stores: RecoveryStores) => Promise<T>) => db.transaction((tx) => work(bind(tx, options.secret, pool))),
  };
}
