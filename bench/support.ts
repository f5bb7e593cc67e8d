// Shared by the benches: a query counter in front of the database, timing and statistics.
import type { Database, Sql } from '../src/adapters/db/database.ts';
import { createReadStream, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openPostgres } from '../src/adapters/db/postgres.ts';
import { csvRows } from '../src/adapters/registry/csv-rows.ts';
import { writeDemoData } from '../src/commands/demo-data.ts';
import { importAffiliates, importEmployment } from '../src/services/registry-import.ts';
import { startTestClave, type TestClave } from '../test/support/clave.ts';

export const POSTGRES_URL = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
/** The size of the synthetic registry loaded for the benches. */
export const REGISTRY = Number(process.env.BENCH_REGISTRY ?? 2_000);

export interface DbStats {
  queries: number;
  transactions: number;
}

/** Round trips to PostgreSQL: every statement, plus BEGIN and COMMIT of each transaction. */
export const roundTrips = (stats: DbStats) => stats.queries + 2 * stats.transactions;

export function counting(db: Database): { db: Database; stats: DbStats } {
  const stats: DbStats = { queries: 0, transactions: 0 };
  const wrap = (sql: Sql): Sql => ({
    query<Row>(text: string, params?: readonly unknown[]) {
      stats.queries++;
      return sql.query<Row>(text, params);
    },
    exec: (text) => sql.exec(text),
  });
  return {
    stats,
    db: {
      engine: db.engine,
      ...wrap(db),
      transaction(work) {
        stats.transactions++;
        return db.transaction((tx) => work(wrap(tx)));
      },
      close: () => db.close(),
    },
  };
}

export function positiveInteger(name: string, fallback: number): number {
  const raw = process.env[name];
  const value = raw === undefined || raw === '' ? fallback : Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer (got "${raw}")`);
  return value;
}

export const elapsedMs = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e6;

export function quantile(sorted: readonly number[], q: number): number {
  // Nearest rank: the smallest value with at least q of the sample at or below it.
  return sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)]!;
}

export function summary(samples: readonly number[]): { median: number; p95: number; mean: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  return { median: quantile(sorted, 0.5), p95: quantile(sorted, 0.95), mean: sorted.reduce((a, b) => a + b, 0) / sorted.length };
}

export const ms = (value: number) => `${value.toFixed(2).padStart(7)} ms`;

/** Runs `work` over `items` with at most `concurrency` in flight. */
export async function inParallel<T>(items: readonly T[], concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}

export interface Throughput {
  /** The whole run, first start to last answer. */
  seconds: number;
  /** Answers within the steady window, from the first answer to the moment the last item was started. */
  steadyCount: number;
  steadySeconds: number;
}

/**
 * CPU per item (a login, a flow) left for everything but its argon2id operations if the
 * machine is to reach `goal` of the limit: at goal × limit ÷ ops items per second, each
 * item has cores ÷ that rate of CPU, and its argon2id operations take ops × argon2CpuMs of it.
 */
export function cpuBudgetMs(cores: number, limitPerSecond: number, opsPerItem: number, argon2CpuMs: number, goal: number): number {
  return (1000 * cores * opsPerItem) / (goal * limitPerSecond) - opsPerItem * argon2CpuMs;
}

/** Items per second while `concurrency` were in flight. */
export const steadyRate = (run: Throughput) => run.steadyCount / run.steadySeconds;

/**
 * inParallel, timed. The steady window leaves out a run's start (the pipeline filling)
 * and its end (draining: the last items alone, cores idle), which cost a run of long,
 * many-step items (a login, a flow) more than a run of argon2id operations, so rates
 * compared across the two are taken in that window.
 */
export async function timedInParallel<T>(items: readonly T[], concurrency: number, work: (item: T) => Promise<void>): Promise<Throughput> {
  const start = process.hrtime.bigint();
  const answeredAt: number[] = [];
  let lastStartedAt = Number.POSITIVE_INFINITY;
  let started = 0;
  await inParallel(items, concurrency, async (item) => {
    if (++started === items.length) lastStartedAt = elapsedMs(start);
    await work(item);
    answeredAt.push(elapsedMs(start));
  });
  const firstAnswerAt = answeredAt[0] ?? 0;
  return {
    seconds: elapsedMs(start) / 1000,
    steadyCount: answeredAt.filter((at) => at > firstAnswerAt && at <= lastStartedAt).length,
    steadySeconds: Math.max(0, lastStartedAt - firstAnswerAt) / 1000,
  };
}

export interface Bench {
  clave: TestClave;
  stats: DbStats;
}

/** The whole app on a schema of its own (pool of 10, the product default), plus a synthetic registry. */
export async function withClave(env: Record<string, string>, run: (bench: Bench) => Promise<void>): Promise<void> {
  const schema = `bench_${randomBytes(4).toString('hex')}`;
  const admin = await openPostgres(POSTGRES_URL, { poolSize: 1 });
  await admin.exec(`CREATE SCHEMA ${schema}`);
  const dir = mkdtempSync(join(tmpdir(), 'clave-bench-'));
  let stats: DbStats | undefined;
  const backend = {
    name: 'postgres' as const,
    async open() {
      const opened = counting(await openPostgres(POSTGRES_URL, { searchPath: schema }));
      stats = opened.stats;
      return { db: opened.db, dispose: () => opened.db.close() };
    },
  };
  try {
    const clave = await startTestClave(backend, { LOG_LEVEL: 'silent', CAPTCHA_MAX_NUMBER: '1000', ...env });
    try {
      const files = await writeDemoData(REGISTRY, dir);
      const today = new Date().toISOString().slice(0, 10);
      await importAffiliates(clave.registry, csvRows(createReadStream(files.affiliates)), { today });
      await importEmployment(clave.registry, csvRows(createReadStream(files.employment)), { today });
      await run({ clave, stats: stats! });
    } finally {
      await clave.dispose();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await admin.exec(`DROP SCHEMA ${schema} CASCADE`);
    await admin.close();
  }
}

const CLOCK_TICKS_PER_SECOND = 100; // USER_HZ on Linux

/**
 * CPU used so far by every PostgreSQL process on this machine (backends, WAL writer,
 * checkpointer), in ms, from /proc: the database's share of a request, which
 * process.cpuUsage() cannot see. Undefined where /proc is not there. Other work on the
 * same server is counted too, so read it on a quiet machine.
 */
export function postgresCpuMs(): number | undefined {
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return undefined;
  }
  let ticks = 0;
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      if (!stat.slice(stat.indexOf('(') + 1, close).startsWith('postgres')) continue;
      const fields = stat.slice(close + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15 of the line)
    } catch {
      // The process ended while we looked.
    }
  }
  return (ticks * 1000) / CLOCK_TICKS_PER_SECOND;
}
