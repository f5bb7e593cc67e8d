import { cedulaRef } from '../../domain/tokens.ts';
import type { QuestionSet } from '../../domain/knowledge-questions.ts';
import type { AuditEvent, FlowRecord, IdentityOutcome, RecoveryStores } from '../../services/recovery-ports.ts';
import type { Sql } from './database.ts';
import { AUDIT_INSERT, auditValues, Params } from './audit-row.ts';
import { deferringWrites } from './deferred-writes.ts';
import { AFFILIATE_COLUMNS, registryReader, toAffiliate, type AffiliateRow } from './registry-reader.ts';
import { accountStore, claveColumns, toClaves, type ClaveRow } from './account-store.ts';
import { sessionStore } from './session-store.ts';
import { classify, consumeTokenSql, fromPrefixed, prefixedTokenColumns, TOKEN_COLUMNS, tokenStore, type PrefixedTokenRow } from './token-store.ts';

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

const FLOW_COLUMNS = 'f.id, f.kind, f.cedula, f.state, f.locale, f.created_at, f.expires_at';

// A flow that moves on, or is superseded, has no more use for the questions it asked: their
// answer key (a person's employers and years) is not kept longer than the step that needs it.
const MOVE_SQL = 'UPDATE recovery_flows SET state = $3, expires_at = $4, updated_at = $5, questions = NULL WHERE id = $1 AND state = $2';

/** An audit row of the recovery stores: the cédula's reference made here, from the secret. */
const auditOf = (params: Params, secret: string, event: AuditEvent) => auditValues(params, event, event.cedula ? cedulaRef(secret, event.cedula) : null);

function bind(db: Sql, secret: string): RecoveryStores {
  const tokens = tokenStore(db);
  return {
    flows: {
      async open(flow, questions, captcha, audit) {
        const params = new Params();
        const at = params.add(flow.createdAt);
        // Expired uses are purged here, in the same statement, rather than in a round trip of their own.
        const [row] = await db.query<{ opened: boolean }>(
          `WITH purged AS (DELETE FROM captcha_uses WHERE expires_at < ${at}),
           claimed AS (INSERT INTO captcha_uses (challenge_hash, expires_at) VALUES (${params.add(captcha.hash)}, ${params.add(captcha.expiresAt)}) ON CONFLICT DO NOTHING RETURNING 1),
           opened AS (SELECT EXISTS (SELECT 1 FROM claimed) AS opened),
           flow AS (
             INSERT INTO recovery_flows (id, kind, cedula, state, locale, created_at, updated_at, expires_at, questions)
             SELECT ${params.add(flow.id)}, ${params.add(flow.kind)}, ${params.add(flow.cedula)}, ${params.add(flow.state)}, ${params.add(flow.locale)}, ${at}, ${at}, ${params.add(flow.expiresAt)}, ${params.add(JSON.stringify(questions))}::jsonb
             FROM opened WHERE opened.opened),
           started AS (${AUDIT_INSERT} SELECT ${auditOf(params, secret, audit.started)} FROM opened WHERE opened.opened),
           replayed AS (${AUDIT_INSERT} SELECT ${auditOf(params, secret, audit.replayed)} FROM opened WHERE NOT opened.opened)
           SELECT opened.opened FROM opened`,
          params.values,
        );
        return { opened: row!.opened };
      },
      async findAtIdentity(id) {
        const [row] = await db.query<FlowRow & AffiliateRow & { questions: QuestionSet | null }>(
          `SELECT ${FLOW_COLUMNS}, f.questions, ${AFFILIATE_COLUMNS} FROM recovery_flows f LEFT JOIN affiliates a ON a.cedula = f.cedula WHERE f.id = $1`,
          [id],
        );
        return row && { flow: toFlow(row), questions: row.questions, affiliate: toAffiliate(row) };
      },
      async findForPassword(id, tokenHash, now, historyLimit) {
        const [row] = await db.query<FlowRow & AffiliateRow & ClaveRow & PrefixedTokenRow>(
          `SELECT ${FLOW_COLUMNS}, ${AFFILIATE_COLUMNS}, ${claveColumns('f.cedula', '$3')}, ${prefixedTokenColumns('t')}
           FROM recovery_flows f
           LEFT JOIN tokens t ON t.token_hash = $2 AND t.purpose = 'reset_session'
           LEFT JOIN affiliates a ON a.cedula = f.cedula
           LEFT JOIN accounts acc ON acc.cedula = f.cedula
           WHERE f.id = $1`,
          [id, tokenHash, historyLimit],
        );
        return row && { flow: toFlow(row), token: classify(fromPrefixed(row), now), affiliate: toAffiliate(row), claves: toClaves(row) };
      },
      async moveConsuming(tokenHash, purpose, id, from, to, expiresAt, now) {
        const rows = await db.query(
          `WITH consumed AS (${consumeTokenSql('$1', '$2', '$7')} RETURNING 1)
           UPDATE recovery_flows SET state = $5, expires_at = $6, updated_at = $7 WHERE id = $3 AND state = $4 AND EXISTS (SELECT 1 FROM consumed) RETURNING id`,
          [tokenHash, [purpose], id, from, to, expiresAt, now],
        );
        return rows.length === 1;
      },
      async advance(id, from, to, expiresAt, now) {
        await db.query(MOVE_SQL, [id, from, to, expiresAt, now]);
      },
      async findConsuming(tokenHash, purposes, now) {
        const [won] = await db.query<FlowRow & PrefixedTokenRow>(
          `WITH won AS (${consumeTokenSql('$1', '$2', '$3')} RETURNING ${TOKEN_COLUMNS})
           SELECT ${prefixedTokenColumns('won')}, ${FLOW_COLUMNS} FROM won LEFT JOIN recovery_flows f ON f.id = won.flow_id`,
          [tokenHash, purposes, now],
        );
        if (!won) return { lookup: await tokens.peek(tokenHash, purposes, now), flow: undefined };
        return { lookup: classify({ ...fromPrefixed(won)!, used_at: null }, now), flow: won.id ? toFlow(won) : undefined };
      },
      async supersedeOlder(cedula, keepId, now) {
        await db.query(
          `UPDATE recovery_flows SET state = 'superseded', updated_at = $3, questions = NULL
           WHERE cedula = $1 AND id <> $2 AND state IN ('check_email', 'set_password')
             AND (created_at, id) < (SELECT created_at, id FROM recovery_flows WHERE id = $2)`,
          [cedula, keepId, now],
        );
      },
    },
    tokens,
    registry: registryReader(db),
    accounts: accountStore(db, secret),
    sessions: sessionStore(db),
    outcomes: {
      async recordMoving(outcome, from, to) {
        const rows = await db.query(
          `WITH moved AS (${MOVE_SQL} RETURNING id)
           INSERT INTO identity_outcomes (flow_id, verdict, submitted_at, link_expires_at, ip, user_agent)
           SELECT id, $6, $5, $4, $7, $8 FROM moved RETURNING flow_id`,
          [outcome.flowId, from, to, outcome.linkExpiresAt, outcome.submittedAt, outcome.verdict, outcome.ip ?? null, outcome.userAgent?.slice(0, 300) ?? null],
        );
        return rows.length === 1;
      },
      async anyPending() {
        const [row] = await db.query<{ pending: boolean }>('SELECT EXISTS (SELECT 1 FROM identity_outcomes WHERE processed_at IS NULL) AS pending');
        return row!.pending;
      },
      async claimNext() {
        const [row] = await db.query<FlowRow & AffiliateRow & { flow_id: string; verdict: IdentityOutcome['verdict']; submitted_at: Date; link_expires_at: Date; ip: string | null; user_agent: string | null; more: boolean }>(
          `SELECT o.flow_id, o.verdict, o.submitted_at, o.link_expires_at, o.ip, o.user_agent, ${FLOW_COLUMNS}, ${AFFILIATE_COLUMNS},
             EXISTS (SELECT 1 FROM identity_outcomes x WHERE x.processed_at IS NULL AND x.flow_id <> o.flow_id) AS more
           FROM identity_outcomes o
           LEFT JOIN recovery_flows f ON f.id = o.flow_id
           LEFT JOIN affiliates a ON a.cedula = f.cedula
           WHERE o.processed_at IS NULL ORDER BY o.submitted_at FOR UPDATE OF o SKIP LOCKED LIMIT 1`,
        );
        if (!row) return undefined;
        const outcome: IdentityOutcome = { flowId: row.flow_id, verdict: row.verdict, submittedAt: row.submitted_at, linkExpiresAt: row.link_expires_at, ...(row.ip ? { ip: row.ip } : {}), ...(row.user_agent ? { userAgent: row.user_agent } : {}) };
        return { outcome, flow: row.id ? toFlow(row) : undefined, affiliate: toAffiliate(row), more: row.more };
      },
      async markProcessed(flowId, at) {
        await db.query('UPDATE identity_outcomes SET processed_at = $2 WHERE flow_id = $1', [flowId, at]);
      },
    },
    identityFailures: {
      async lock(ref) {
        await db.query('SELECT pg_advisory_xact_lock($1::bigint)', [ref.readBigInt64BE(0).toString()]);
      },
      async tally(ref, flowId, since, mailSince) {
        // The verdict's row, locked by the caller, keeps its flow from being deleted meanwhile.
        const [row] = await db.query<{ failures: number; mails: number; latest: Date | null; state: FlowRecord['state']; expires_at: Date; disowned: boolean }>(
          `SELECT (SELECT count(*) FROM identity_failures WHERE cedula_ref = $1 AND failed_at > $2) AS failures, m.mails, m.latest, f.state, f.expires_at,
             EXISTS (SELECT 1 FROM accounts a WHERE a.cedula = f.cedula AND a.disowned_at IS NOT NULL) AS disowned
           FROM (SELECT count(*) AS mails, max(available_at) AS latest FROM outbox WHERE cedula_ref = $1 AND category = 'recovery' AND created_at > $3) m
           JOIN recovery_flows f ON f.id = $4`,
          [ref, since, mailSince, flowId],
        );
        return { failures: row!.failures, recentMail: { count: row!.mails, latest: row!.latest ?? undefined }, flowNow: { state: row!.state, expiresAt: row!.expires_at }, disowned: row!.disowned };
      },
      async record(ref, at) {
        await db.query('INSERT INTO identity_failures (cedula_ref, failed_at) VALUES ($1, $2)', [ref, at]);
      },
    },
    outbox: {
      async enqueue(message, now) {
        await db.query(
          'INSERT INTO outbox (channel, recipient, category, cedula_ref, message, created_at, available_at, deliver_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)',
          [message.channel, message.recipient, message.category, message.cedulaRef, JSON.stringify(message.message), now, message.availableAt, message.deliverBy ?? null],
        );
      },
    },
    audit: {
      async record(event) {
        const params = new Params();
        await db.query(`${AUDIT_INSERT} VALUES (${auditOf(params, secret, event)})`, params.values);
      },
    },
  };
}

export interface RecoveryStorageOptions {
  secret: string;
}

export function createRecoveryStorage(db: import('./database.ts').Database, options: RecoveryStorageOptions) {
  return {
    stores: bind(db, options.secret),
    transaction: <T>(work: (stores: RecoveryStores) => Promise<T>) =>
      db.transaction(async (tx) => {
        const deferring = deferringWrites(tx);
        const result = await work(bind(deferring, options.secret));
        await deferring.flush();
        return result;
      }),
  };
}
