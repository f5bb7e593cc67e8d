// retention: how long the purge (adapters/db/retention.ts) takes over a backlog of dead
// rows on PostgreSQL, among live ones, and how long its longest statement holds its
// locks; against the same purge done in one statement per table (no batches), on the
// same rows, seeded afresh, in the same run.
import { randomBytes } from 'node:crypto';
import type { Database } from '../src/adapters/db/database.ts';
import { migrate } from '../src/adapters/db/migrate.ts';
import { openPostgres } from '../src/adapters/db/postgres.ts';
import { purgeExpired, type PurgeCounts } from '../src/adapters/db/retention.ts';
import { elapsedMs, ms, positiveInteger, POSTGRES_URL, summary } from './support.ts';

const DAY_MS = 24 * 3_600_000;
const RULES = { keepMs: 30 * DAY_MS, identityFailureWindowMs: DAY_MS, mailCapWindowMs: DAY_MS, loginMaxFailures: 5 };

/**
 * `dead` of each kind 40 days old (a flow with a link, a reset session and its verdict; a
 * session; a delivered mail; a failed identity check), and a tenth as many live ones.
 */
async function seed(db: Database, dead: number, at: Date): Promise<void> {
  const kinds = [
    { offset: 0, count: dead, created: new Date(at.getTime() - 40 * DAY_MS) },
    { offset: dead, count: Math.ceil(dead / 10), created: at },
  ];
  for (const { offset, count, created } of kinds) {
    const params = [offset + 1, offset + count, created];
    await db.query(
      `INSERT INTO recovery_flows (id, kind, cedula, state, created_at, updated_at, expires_at)
       SELECT md5(i::text)::uuid, 'recover', lpad(i::text, 10, '0'), 'done', $3, $3, $3::timestamptz + interval '30 minutes' FROM generate_series($1::int, $2::int) AS i`,
      params,
    );
    await db.query(
      `INSERT INTO tokens (token_hash, purpose, cedula, flow_id, created_at, expires_at)
       SELECT sha256(convert_to(p || i, 'UTF8')), p, lpad(i::text, 10, '0'), md5(i::text)::uuid, $3, $3::timestamptz + interval '15 minutes'
       FROM generate_series($1::int, $2::int) AS i, unnest(ARRAY['recovery_link', 'reset_session']) AS p`,
      params,
    );
    await db.query(
      `INSERT INTO identity_outcomes (flow_id, verdict, submitted_at, link_expires_at, processed_at)
       SELECT md5(i::text)::uuid, 'verified', $3, $3, $3 FROM generate_series($1::int, $2::int) AS i`,
      params,
    );
    await db.query(
      `INSERT INTO sessions (id_hash, cedula, created_at, last_seen_at, idle_expires_at, absolute_expires_at)
       SELECT sha256(convert_to('s' || i, 'UTF8')), a.cedula, $3, $3, $3::timestamptz + interval '30 minutes', $3::timestamptz + interval '12 hours'
       FROM generate_series($1::int, $2::int) AS i, (SELECT cedula FROM accounts LIMIT 1) AS a`,
      params,
    );
    await db.query(
      `INSERT INTO outbox (channel, recipient, message, created_at, available_at, sent_at, category)
       SELECT 'email', 'persona' || i || '@correo.example', '{"subject": "Su clave"}'::jsonb, $3, $3, $3, 'security' FROM generate_series($1::int, $2::int) AS i`,
      params,
    );
    await db.query(`INSERT INTO identity_failures (cedula_ref, failed_at) SELECT sha256(convert_to('f' || i, 'UTF8')), $3 FROM generate_series($1::int, $2::int) AS i`, params);
  }
  await db.exec('ANALYZE');
}

/** Every statement's time, in a wrapper in front of the database. */
function timingStatements(db: Database): { db: Database; statementMs: number[] } {
  const statementMs: number[] = [];
  return {
    statementMs,
    db: {
      ...db,
      async query<Row>(text: string, params?: readonly unknown[]) {
        const start = process.hrtime.bigint();
        const rows = await db.query<Row>(text, params);
        statementMs.push(elapsedMs(start));
        return rows;
      },
    },
  };
}

interface PurgeRun {
  counts: PurgeCounts;
  seconds: number;
  statementMs: number[];
}

/** A fresh schema, seeded, purged once with `batchRows` per statement. */
async function purgeRun(dead: number, batchRows: number | undefined): Promise<PurgeRun> {
  const schema = `bench_${randomBytes(4).toString('hex')}`;
  const admin = await openPostgres(POSTGRES_URL, { poolSize: 1 });
  await admin.exec(`CREATE SCHEMA ${schema}`);
  const db = await openPostgres(POSTGRES_URL, { searchPath: schema, poolSize: 2 });
  try {
    await migrate(db);
    await db.query("INSERT INTO affiliates (cedula, nombres, apellidos, fecha_nacimiento, datos_verificados) VALUES ('1710034065', 'Ana', 'Pérez', '1985-03-15', true)");
    await db.query("INSERT INTO accounts (cedula, status) VALUES ('1710034065', 'active')");
    const now = new Date();
    await seed(db, dead, now);
    const timed = timingStatements(db);
    const start = process.hrtime.bigint();
    const counts = await purgeExpired(timed.db, now, RULES, batchRows === undefined ? {} : { batchRows });
    return { counts, seconds: elapsedMs(start) / 1000, statementMs: timed.statementMs };
  } finally {
    await db.close();
    await admin.exec(`DROP SCHEMA ${schema} CASCADE`);
    await admin.close();
  }
}

function report(name: string, run: PurgeRun, baseline: PurgeRun): void {
  // A flow takes its two tokens and its verdict with it.
  const rows = Object.values(run.counts).reduce((sum, n) => sum + n, 0) + 3 * run.counts.flows;
  const statements = summary(run.statementMs);
  console.log(
    `${name.padEnd(34)} ${run.seconds.toFixed(2).padStart(6)} s   ${(rows / run.seconds).toFixed(0).padStart(7)} rows/s (${(baseline.seconds / run.seconds).toFixed(2)} of the baseline's speed)   ${run.statementMs.length} statements: median ${ms(statements.median)}, longest ${ms(Math.max(...run.statementMs))}`,
  );
}

export async function benchRetention(): Promise<void> {
  const dead = positiveInteger('BENCH_PURGE_ROWS', 50_000);
  const baseline = await purgeRun(dead, 100 * dead);
  const batched = await purgeRun(dead, undefined);
  console.log(`\n== retention purge on PostgreSQL: ${dead} dead rows of each kind, 40 days old (flows with 2 links and a verdict each, sessions, delivered mail, identity failures), beside ${Math.ceil(dead / 10)} live ones of each ==`);
  console.log(`deleted: ${JSON.stringify(batched.counts)} (+ ${3 * batched.counts.flows} links and verdicts with their flows)`);
  report('baseline: one statement per table', baseline, baseline);
  report('the purge: batches of 1,000 rows', batched, baseline);
}
