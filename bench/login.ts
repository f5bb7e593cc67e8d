// Ingresar on PostgreSQL, driven in-process through Fastify's inject (no sockets, no
// HTTP parsing on a wire), in a fresh schema dropped afterwards:
//
// - POST /api/v1/sessions with the right clave at a fixed concurrency, round-robin over
//   people who have one: logins per second, and per core;
// - the same count of refused attempts (a wrong clave for those people, interleaved with
//   distinct valid cédulas nobody has a clave for), which cost the same argon2id verify;
// - against the argon2id verifications per second the same hasher reaches at the same
//   concurrency, measured before and after the logins in the same run (the limit: one
//   verify per attempt, services/account/login.ts).
//
// The claves are hashed with the real hasher and settings and written straight into
// `accounts` before any timing: that is setup, not what is measured.
import { createReadStream, mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { writeDemoData } from '../src/commands/demo-data.ts';
import { csvRows } from '../src/adapters/registry/csv-rows.ts';
import { openPostgres } from '../src/adapters/db/postgres.ts';
import type { Database, Sql } from '../src/adapters/db/database.ts';
import { createPasswordHasher, type PasswordHasher } from '../src/adapters/password-hasher.ts';
import { demoAffiliate } from '../src/adapters/registry/demo-registry.ts';
import { importAffiliates, importEmployment } from '../src/services/registry-import.ts';
import { startTestClave, type TestClave } from '../test/support/clave.ts';

const POSTGRES_URL = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
/** The size of the synthetic registry loaded (accounts must belong to affiliates). */
const REGISTRY = Number(process.env.BENCH_REGISTRY ?? 2_000);
const STRONG = 'tigre-Nube-87-calle';
/** The product's argon2id settings (README, config.ts): the bench refuses to run with others. */
const REAL_ARGON2 = { memoryKib: 19_456, iterations: 2, parallelism: 1 };

// ---------------------------------------------------------------------------------
// A round-trip counter in front of the database (the same idea as bench/recovery.ts).

interface DbStats {
  queries: number;
  transactions: number;
}

/** Round trips to PostgreSQL: every statement, plus BEGIN and COMMIT of each transaction. */
const roundTrips = (stats: DbStats) => stats.queries + 2 * stats.transactions;

function counting(db: Database): { db: Database; stats: DbStats } {
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

function positiveInteger(name: string, fallback: number): number {
  const raw = process.env[name];
  const value = raw === undefined || raw === '' ? fallback : Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer (got "${raw}")`);
  return value;
}

const elapsedMs = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e6;

function quantile(sorted: readonly number[], q: number): number {
  // Nearest rank: the smallest value with at least q of the sample at or below it.
  return sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)]!;
}

function summary(samples: readonly number[]): { median: number; p95: number; mean: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  return { median: quantile(sorted, 0.5), p95: quantile(sorted, 0.95), mean: sorted.reduce((a, b) => a + b, 0) / sorted.length };
}

const ms = (value: number) => `${value.toFixed(2).padStart(7)} ms`;

/** Runs `work` over `items` with at most `concurrency` in flight. */
async function inParallel<T>(items: readonly T[], concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}

// ---------------------------------------------------------------------------------

interface Person {
  cedula: string;
  password: string;
  hash: string;
}

interface Attempt {
  cedula: string;
  password: string;
}

interface Phase {
  count: number;
  seconds: number;
  latencies: number[];
  trips: number;
  busy: number;
  cpuMs: number;
}

/** argon2id verifications per second against real stored hashes, at `concurrency`. */
async function verifyRate(hasher: PasswordHasher, people: readonly Person[], count: number, concurrency: number): Promise<number> {
  const items = Array.from({ length: count }, (_, i) => people[i % people.length]!);
  const start = process.hrtime.bigint();
  await inParallel(items, concurrency, async (person) => {
    if (!(await hasher.verify(person.hash, person.password))) throw new Error('argon2id verify failed on a stored hash');
  });
  return count / (elapsedMs(start) / 1000);
}

/** POSTs every attempt at `concurrency`; each must answer `status` (and `code` for a refusal). */
async function timedLogins(clave: TestClave, stats: DbStats, attempts: readonly Attempt[], concurrency: number, status: number, code?: string): Promise<Phase> {
  const latencies: number[] = [];
  const tripsBefore = roundTrips(stats);
  const eluBefore = performance.eventLoopUtilization();
  const cpuBefore = process.cpuUsage();
  const start = process.hrtime.bigint();
  await inParallel(attempts, concurrency, async (attempt) => {
    const begun = process.hrtime.bigint();
    const response = await clave.web.inject({ method: 'POST', url: '/api/v1/sessions', payload: attempt });
    latencies.push(elapsedMs(begun));
    const answered = response.statusCode === status && (code === undefined || response.json().error?.code === code);
    if (!answered) throw new Error(`POST /api/v1/sessions (${attempt.cedula}): expected ${status}${code ? ` ${code}` : ''}, got ${response.statusCode} ${response.body}`);
  });
  const seconds = elapsedMs(start) / 1000;
  const busy = performance.eventLoopUtilization(eluBefore).utilization;
  const cpu = process.cpuUsage(cpuBefore);
  return { count: attempts.length, seconds, latencies, trips: roundTrips(stats) - tripsBefore, busy, cpuMs: (cpu.user + cpu.system) / 1000 };
}

export async function benchLogin(): Promise<void> {
  const logins = positiveInteger('BENCH_LOGINS', 200);
  const concurrency = positiveInteger('BENCH_LOGIN_CONCURRENCY', 2);
  const peopleCount = positiveInteger('BENCH_LOGIN_PEOPLE', 40);
  const verifies = positiveInteger('BENCH_VERIFIES', 100);
  const alone = 20;
  const warm = 2 * concurrency;
  if (peopleCount > REGISTRY) throw new Error(`BENCH_LOGIN_PEOPLE=${peopleCount} is more than BENCH_REGISTRY=${REGISTRY}`);

  const schema = `bench_${randomBytes(4).toString('hex')}`;
  const admin = await openPostgres(POSTGRES_URL, { poolSize: 1 });
  await admin.exec(`CREATE SCHEMA ${schema}`);
  const dir = mkdtempSync(join(tmpdir(), 'clave-bench-login-'));
  let stats: DbStats | undefined;
  const backend = {
    name: 'postgres' as const,
    async open() {
      // Pool of 10, the product default.
      const opened = counting(await openPostgres(POSTGRES_URL, { searchPath: schema }));
      stats = opened.stats;
      return { db: opened.db, dispose: () => opened.db.close() };
    },
  };
  try {
    // LOGIN_ATTEMPTS_PER_IP: every attempt comes from one address; 100000 is the most config.ts allows.
    const clave = await startTestClave(backend, { LOG_LEVEL: 'silent', LOGIN_ATTEMPTS_PER_IP: '100000' });
    try {
      await run(clave, stats!);
    } finally {
      await clave.dispose();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await admin.exec(`DROP SCHEMA ${schema} CASCADE`);
    await admin.close();
  }

  async function run(clave: TestClave, stats: DbStats): Promise<void> {
    const limits = clave.config.limits;
    const settings = { memoryKib: limits.argon2MemoryKib, iterations: limits.argon2Iterations, parallelism: limits.argon2Parallelism };
    if (JSON.stringify(settings) !== JSON.stringify(REAL_ARGON2)) throw new Error(`argon2id settings ${JSON.stringify(settings)} are not the product's ${JSON.stringify(REAL_ARGON2)}`);
    const hasher = createPasswordHasher(settings);

    // Setup, not timed: the registry, then N people given a clave hashed with the real settings.
    const files = await writeDemoData(REGISTRY, dir);
    const today = new Date().toISOString().slice(0, 10);
    await importAffiliates(clave.registry, csvRows(createReadStream(files.affiliates)), { today });
    await importEmployment(clave.registry, csvRows(createReadStream(files.employment)), { today });
    const people: Person[] = [];
    await inParallel(
      Array.from({ length: peopleCount }, (_, i) => i),
      2,
      async (i) => {
        const password = `${STRONG}-${i}`;
        people.push({ cedula: demoAffiliate(i).affiliate.cedula, password, hash: await hasher.hash(password) });
      },
    );
    for (const person of people) {
      await clave.db.query("INSERT INTO accounts (cedula, status, password_hash) VALUES ($1, 'active', $2)", [person.cedula, person.hash]);
    }

    // Refused attempts: a wrong clave for people who have one (fewer than LOGIN_MAX_FAILURES
    // each, so nobody gets locked) interleaved with distinct valid cédulas outside the
    // registry (demo cédulas are distinct below 10⁷), so no counter reaches the lockout.
    let nextUnknown = REGISTRY;
    const unknownCedula = () => demoAffiliate(nextUnknown++).affiliate.cedula;
    const wrongPerPerson = Math.ceil(Math.ceil(logins / 2) / people.length);
    if (wrongPerPerson >= limits.loginMaxFailures) throw new Error(`BENCH_LOGINS=${logins} over ${people.length} people: ${wrongPerPerson} wrong claves each would reach LOGIN_MAX_FAILURES`);
    const right = Array.from({ length: logins }, (_, i): Attempt => ({ cedula: people[i % people.length]!.cedula, password: people[i % people.length]!.password }));
    const refused = Array.from({ length: logins }, (_, i): Attempt =>
      i % 2 === 0 ? { cedula: people[(i / 2) % people.length]!.cedula, password: `${STRONG}-mala-${i}` } : { cedula: unknownCedula(), password: `${STRONG}-${i}` },
    );

    // Warm-up: JIT, pool connections, the dummy hash of unknown cédulas.
    await timedLogins(clave, stats, right.slice(0, warm), concurrency, 201);
    await timedLogins(clave, stats, Array.from({ length: warm }, () => ({ cedula: unknownCedula(), password: STRONG })), concurrency, 401, 'CLV-041');
    await verifyRate(hasher, people, warm, concurrency);

    const sessionsBefore = (await clave.db.query<{ total: number }>('SELECT count(*) AS total FROM sessions'))[0]!.total;
    const verifiesBefore = await verifyRate(hasher, people, verifies, concurrency);
    const ok = await timedLogins(clave, stats, right, concurrency, 201);
    const bad = await timedLogins(clave, stats, refused, concurrency, 401, 'CLV-041');
    const verifiesAfter = await verifyRate(hasher, people, verifies, concurrency);

    // One at a time: what a login costs beyond its verify, with nothing else running.
    const single = await timedLogins(clave, stats, right.slice(0, alone), 1, 201);
    const verifyAlone = 1000 / (await verifyRate(hasher, people, alone, 1));

    const [{ total: sessions }] = (await clave.db.query<{ total: number }>('SELECT count(*) AS total FROM sessions')) as [{ total: number }];
    const [{ total: failures }] = (await clave.db.query<{ total: number }>('SELECT coalesce(sum(failures), 0) AS total FROM login_failures')) as [{ total: number }];
    const [{ total: locked }] = (await clave.db.query<{ total: number }>("SELECT count(*) AS total FROM accounts WHERE status = 'locked'")) as [{ total: number }];

    const cores = availableParallelism();
    const limit = (verifiesBefore + verifiesAfter) / 2; // one verify per attempt
    const rate = (phase: Phase) => phase.count / phase.seconds;
    const line = (label: string, phase: Phase) => {
      const latency = summary(phase.latencies);
      console.log(
        `${label.padEnd(34)} ${rate(phase).toFixed(1).padStart(7)} /s   ${(rate(phase) / cores).toFixed(1).padStart(6)} /s per core   ${(rate(phase) / limit).toFixed(2)} of limit (goal ≥ 0.85)`,
      );
      console.log(
        `${''.padEnd(34)} median ${ms(latency.median)}   p95 ${ms(latency.p95)}   ${(phase.trips / phase.count).toFixed(1)} DB round trips each   main thread busy ${(100 * phase.busy).toFixed(0)}%   ${(phase.cpuMs / phase.count).toFixed(1)} ms CPU each`,
      );
    };

    console.log(`\n== Ingresar on PostgreSQL: POST /api/v1/sessions, ${logins} right + ${logins} refused, concurrency ${concurrency}, ${people.length} people with a clave (registry of ${REGISTRY}), after ${warm} + ${warm} warm-up ==`);
    console.log(`in-process (fastify inject, no sockets); ${cores} cores (os.availableParallelism), PostgreSQL on the same machine. Claves hashed and stored before any timing.`);
    console.log(
      `${'argon2id verifies, concurrency ' + concurrency} ${limit.toFixed(1).padStart(7)} /s   ${(limit / cores).toFixed(1).padStart(6)} /s per core   (m=${settings.memoryKib} KiB, t=${settings.iterations}, p=${settings.parallelism}; ${verifies} verifies before: ${verifiesBefore.toFixed(1)}, after: ${verifiesAfter.toFixed(1)}) = the limit, 1 verify per attempt`,
    );
    line('logins (right clave, 201)', ok);
    line('refused (wrong clave/unknown, 401)', bad);
    const singleLatency = summary(single.latencies);
    console.log(
      `one at a time (${alone} logins)          median ${ms(singleLatency.median)}   mean ${ms(singleLatency.mean)}   one argon2id verify alone ${ms(verifyAlone)}   → ${ms(singleLatency.mean - verifyAlone)} per login beyond the verify`,
    );
    console.log(
      `check: ${sessions - sessionsBefore}/${logins + alone} sessions opened; ${failures} failures counted (${logins + warm} refused attempts, ${Math.ceil(logins / 2)} of them wrong claves spread over ${people.length} people); ${locked} accounts locked`,
    );
  }
}
