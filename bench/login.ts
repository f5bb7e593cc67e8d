// Ingresar on PostgreSQL, driven in-process through Fastify's inject (no sockets, no
// HTTP parsing on a wire), in a fresh schema dropped afterwards:
//
// - POST /api/v1/sessions with the right clave at a fixed concurrency (default twice the
//   cores), round-robin over people who have one: logins per second, and per core;
// - the same count of refused attempts (a wrong clave for those people, interleaved with
//   distinct valid cédulas nobody has a clave for), which cost the same argon2id verify;
// - against the argon2id verifications per second the same hasher reaches in the same run,
//   the best of concurrency = cores and the bench's (the limit: one verify per attempt,
//   whatever the outcome, services/account/login.ts). The machine is noisy, so verifies and logins alternate in
//   rounds (V L F V L F … V) and every login round has a verify round on either side;
//   each round is counted in its steady window (bench/support.ts, timedInParallel), and
//   the median of the rounds' ratios is printed beside the overall one.
//
// Timing starts after BENCH_LOGIN_WARMUP (400) right and 400 refused attempts: the JIT
// and PostgreSQL's plans take some hundreds of requests to settle.
//
// CPU is reported for this process and for PostgreSQL (read from /proc), which shares the cores.
//
// The claves are hashed with the real hasher and settings and written straight into
// `accounts` before any timing: that is setup, not what is measured.
import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';
import { createPasswordHasher, type PasswordHasher } from '../src/adapters/password-hasher.ts';
import { demoAffiliate } from '../src/adapters/registry/demo-registry.ts';
import type { FastifyInstance } from 'fastify';
import type { TestClave } from '../test/support/clave.ts';
import { floorLogin } from './login-floor.ts';
import { cpuBudgetMs, elapsedMs, inParallel, ms, positiveInteger, postgresCpuMs, REGISTRY, roundTrips, steadyRate, summary, timedInParallel, withClave, type DbStats, type Throughput } from './support.ts';

const STRONG = 'tigre-Nube-87-calle';
/** The product's argon2id settings (README, config.ts): the bench refuses to run with others. */
const REAL_ARGON2 = { memoryKib: 19_456, iterations: 2, parallelism: 1 };

// ---------------------------------------------------------------------------------
// A round-trip counter in front of the database (the same idea as bench/recovery.ts).

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

interface Phase extends Throughput {
  count: number;
  latencies: number[];
  trips: number;
  /** Event-loop utilisation of the main thread, weighted by time. */
  busy: number;
  /** CPU of this process (all threads: the argon2id pool included; PostgreSQL not). */
  cpuMs: number;
  /** CPU of the PostgreSQL processes on this machine (NaN where /proc is missing). */
  pgCpuMs: number;
}

/** Runs every item at `concurrency` and measures it as one phase. */
async function measured<T>(stats: DbStats, items: readonly T[], concurrency: number, work: (item: T) => Promise<void>): Promise<Phase> {
  const latencies: number[] = [];
  const tripsBefore = roundTrips(stats);
  const eluBefore = performance.eventLoopUtilization();
  const cpuBefore = process.cpuUsage();
  const pgBefore = postgresCpuMs() ?? Number.NaN;
  const throughput = await timedInParallel(items, concurrency, async (item) => {
    const begun = process.hrtime.bigint();
    await work(item);
    latencies.push(elapsedMs(begun));
  });
  const busy = performance.eventLoopUtilization(eluBefore).utilization;
  const cpu = process.cpuUsage(cpuBefore);
  const pgCpuMs = (postgresCpuMs() ?? Number.NaN) - pgBefore;
  return { count: items.length, ...throughput, latencies, trips: roundTrips(stats) - tripsBefore, busy, cpuMs: (cpu.user + cpu.system) / 1000, pgCpuMs };
}

function merged(phases: readonly Phase[]): Phase {
  const seconds = phases.reduce((sum, p) => sum + p.seconds, 0);
  return {
    count: phases.reduce((sum, p) => sum + p.count, 0),
    seconds,
    steadyCount: phases.reduce((sum, p) => sum + p.steadyCount, 0),
    steadySeconds: phases.reduce((sum, p) => sum + p.steadySeconds, 0),
    latencies: phases.flatMap((p) => p.latencies),
    trips: phases.reduce((sum, p) => sum + p.trips, 0),
    busy: phases.reduce((sum, p) => sum + p.busy * p.seconds, 0) / seconds,
    cpuMs: phases.reduce((sum, p) => sum + p.cpuMs, 0),
    pgCpuMs: phases.reduce((sum, p) => sum + p.pgCpuMs, 0),
  };
}

/** argon2id verifications against real stored hashes, at `concurrency`. */
function verifies(stats: DbStats, hasher: PasswordHasher, people: readonly Person[], count: number, concurrency: number, offset = 0): Promise<Phase> {
  const items = Array.from({ length: count }, (_, i) => people[(offset + i) % people.length]!);
  return measured(stats, items, concurrency, async (person) => {
    if (!(await hasher.verify(person.hash, person.password))) throw new Error('argon2id verify failed on a stored hash');
  });
}

/** POSTs every attempt at `concurrency`; each must answer `status` (and `code` for a refusal). */
function logins(web: FastifyInstance, stats: DbStats, attempts: readonly Attempt[], concurrency: number, status: number, code?: string, url = '/api/v1/sessions'): Promise<Phase> {
  return measured(stats, attempts, concurrency, async (attempt) => {
    const response = await web.inject({ method: 'POST', url, payload: attempt });
    const answered = response.statusCode === status && (code === undefined || response.json().error?.code === code);
    if (!answered) throw new Error(`POST ${url} (${attempt.cedula}): expected ${status}${code ? ` ${code}` : ''}, got ${response.statusCode} ${response.body}`);
  });
}

/** `items` cut into `parts` nearly equal consecutive slices. */
function chunks<T>(items: readonly T[], parts: number): T[][] {
  return Array.from({ length: parts }, (_, i) => items.slice(Math.floor((i * items.length) / parts), Math.floor(((i + 1) * items.length) / parts)));
}

export async function benchLogin(): Promise<void> {
  const count = positiveInteger('BENCH_LOGINS', 600);
  const cores = availableParallelism();
  // A login waits on the database between its CPU parts, so it takes more attempts in
  // flight than cores to keep the machine busy (argon2id itself stays at ARGON2_CONCURRENCY).
  const concurrency = positiveInteger('BENCH_LOGIN_CONCURRENCY', 2 * cores);
  const peopleCount = positiveInteger('BENCH_LOGIN_PEOPLE', 120);
  const verifyCount = positiveInteger('BENCH_VERIFIES', count);
  const rounds = positiveInteger('BENCH_LOGIN_ROUNDS', 10);
  const alone = 20;
  const warm = positiveInteger('BENCH_LOGIN_WARMUP', 400);
  if (peopleCount > REGISTRY) throw new Error(`BENCH_LOGIN_PEOPLE=${peopleCount} is more than BENCH_REGISTRY=${REGISTRY}`);

  // LOGIN_ATTEMPTS_PER_IP: every attempt comes from one address; 100000 is the most config.ts allows.
  await withClave({ LOGIN_ATTEMPTS_PER_IP: '100000' }, ({ clave, stats }) => run(clave, stats));

  async function run(clave: TestClave, stats: DbStats): Promise<void> {
    const limits = clave.config.limits;
    const settings = { memoryKib: limits.argon2MemoryKib, iterations: limits.argon2Iterations, parallelism: limits.argon2Parallelism };
    if (JSON.stringify(settings) !== JSON.stringify(REAL_ARGON2)) throw new Error(`argon2id settings ${JSON.stringify(settings)} are not the product's ${JSON.stringify(REAL_ARGON2)}`);
    const hasher = createPasswordHasher(settings);

    // Setup, not timed: N people of the registry given a clave hashed with the real settings.
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
    // registry (demo cédulas are distinct below 10⁷): no counter reaches the lockout, and
    // each attempt is one argon2id verify (against the dummy hash for the unknown ones).
    let nextUnknown = REGISTRY;
    const unknownCedula = () => demoAffiliate(nextUnknown++).affiliate.cedula;
    const wrongPerPerson = Math.ceil(Math.ceil(count / 2) / people.length);
    if (wrongPerPerson >= limits.loginMaxFailures) throw new Error(`BENCH_LOGINS=${count} over ${people.length} people: ${wrongPerPerson} wrong claves each would reach LOGIN_MAX_FAILURES`);
    const right = Array.from({ length: count }, (_, i): Attempt => ({ cedula: people[i % people.length]!.cedula, password: people[i % people.length]!.password }));
    const refused = Array.from({ length: count }, (_, i): Attempt =>
      i % 2 === 0 ? { cedula: people[(i / 2) % people.length]!.cedula, password: `${STRONG}-mala-${i}` } : { cedula: unknownCedula(), password: `${STRONG}-${i}` },
    );

    // The stack's floor (bench/login-floor.ts), over the same people and pool.
    const floor = await floorLogin(clave.db, hasher, people);
    const floorLogins = (attempts: readonly Attempt[]) => logins(floor, stats, attempts, concurrency, 201, undefined, '/floor/sessions');

    // Warm-up: JIT, pool connections, the dummy hash of unknown cédulas.
    await logins(clave.web, stats, Array.from({ length: warm }, (_, i) => right[i % right.length]!), concurrency, 201);
    await logins(clave.web, stats, Array.from({ length: warm }, () => ({ cedula: unknownCedula(), password: STRONG })), concurrency, 401, 'CLV-041');
    await floorLogins(Array.from({ length: warm }, (_, i) => right[i % right.length]!));
    await verifies(stats, hasher, people, warm, concurrency);
    const sessionsBefore = (await clave.db.query<{ total: number }>('SELECT count(*) AS total FROM sessions'))[0]!.total;

    // Timed: V L F V L F … V — every login round has a verify round just before and just
    // after it. Verify rounds run at the cores' count and at the bench's concurrency, and
    // the limit is the faster of the two: never a weaker baseline than the machine gives.
    const verifyConcurrencies = [...new Set([cores, concurrency])];
    const verifyRoundsAt = verifyConcurrencies.map(() => [] as Phase[]);
    const rightRounds: Phase[] = [];
    const refusedRounds: Phase[] = [];
    const floorRounds: Phase[] = [];
    const verifyChunks = chunks(Array.from({ length: verifyCount }, (_, i) => i), rounds + 1);
    const rightChunks = chunks(right, rounds);
    const refusedChunks = chunks(refused, rounds);
    for (let round = 0; round <= rounds; round++) {
      for (const [i, atConcurrency] of verifyConcurrencies.entries()) {
        verifyRoundsAt[i]!.push(await verifies(stats, hasher, people, verifyChunks[round]!.length, atConcurrency, verifyChunks[round]![0] ?? 0));
      }
      if (round === rounds) break;
      rightRounds.push(await logins(clave.web, stats, rightChunks[round]!, concurrency, 201));
      refusedRounds.push(await logins(clave.web, stats, refusedChunks[round]!, concurrency, 401, 'CLV-041'));
      floorRounds.push(await floorLogins(rightChunks[round]!));
    }

    await floor.close();

    // One at a time, a login then a verify: what a login costs beyond its verify, with nothing else in flight.
    const singles: Phase[] = [];
    const verifiesAlone: Phase[] = [];
    for (let i = 0; i < alone; i++) {
      singles.push(await logins(clave.web, stats, [right[i]!], 1, 201));
      verifiesAlone.push(await verifies(stats, hasher, people, 1, 1, i));
    }
    const single = merged(singles);
    const verifyAlone = merged(verifiesAlone);
    const [{ total: sessions }] = (await clave.db.query<{ total: number }>('SELECT count(*) AS total FROM sessions')) as [{ total: number }];
    const [{ total: failed }] = (await clave.db.query<{ total: number }>("SELECT count(*) AS total FROM audit_events WHERE event = 'login' AND outcome = 'failed'")) as [{ total: number }];
    const [{ total: locked }] = (await clave.db.query<{ total: number }>("SELECT count(*) AS total FROM accounts WHERE status = 'locked'")) as [{ total: number }];

    const best = verifyRoundsAt.reduce((a, b) => (steadyRate(merged(b)) > steadyRate(merged(a)) ? b : a));
    const verifyRounds = best;
    const limitConcurrency = verifyConcurrencies[verifyRoundsAt.indexOf(best)]!;
    const limit = merged(verifyRounds);
    const limitRate = steadyRate(limit); // one verify per attempt
    /** Per round: its login rate over the mean of the verify rates just before and after it. */
    const roundRatios = (phases: readonly Phase[]) => phases.map((p, i) => steadyRate(p) / ((steadyRate(verifyRounds[i]!) + steadyRate(verifyRounds[i + 1]!)) / 2));
    const range = (values: number[]) => `${Math.min(...values).toFixed(2)}–${Math.max(...values).toFixed(2)}, median ${summary(values).median.toFixed(2)}`;
    const detail = (phase: Phase) => {
      const latency = summary(phase.latencies);
      return `median ${ms(latency.median)}   p95 ${ms(latency.p95)}   ${(phase.trips / phase.count).toFixed(1)} DB round trips each   main thread busy ${(100 * phase.busy).toFixed(0).padStart(2)}%   ${(phase.cpuMs / phase.count).toFixed(1)} ms CPU each in this process (all threads) + ${(phase.pgCpuMs / phase.count).toFixed(1)} ms in PostgreSQL`;
    };
    const line = (label: string, phase: Phase, ratios: number[]) => {
      console.log(
        `${label.padEnd(36)} ${steadyRate(phase).toFixed(1).padStart(7)} /s   ${(steadyRate(phase) / cores).toFixed(1).padStart(6)} /s per core   ${(steadyRate(phase) / limitRate).toFixed(2)} of limit (goal ≥ 0.85; rounds ${range(ratios)})`,
      );
      console.log(`${''.padEnd(36)} ${detail(phase)}`);
    };

    console.log(
      `\n== Ingresar on PostgreSQL: POST /api/v1/sessions, ${count} right + ${count} refused at concurrency ${concurrency}, in ${rounds} rounds alternating with ${verifyCount} argon2id verifies; ${people.length} people with a clave (registry of ${REGISTRY}) ==`,
    );
    console.log(`in-process (fastify inject, no sockets); ${cores} cores (os.availableParallelism), PostgreSQL on the same machine. Claves hashed and stored before any timing; ${warm} + ${warm} warm-up attempts.`);
    console.log(
      `${'argon2id verifies (the limit)'.padEnd(36)} ${limitRate.toFixed(1).padStart(7)} /s   ${(limitRate / cores).toFixed(1).padStart(6)} /s per core   (m=${settings.memoryKib} KiB, t=${settings.iterations}, p=${settings.parallelism}; 1 per attempt; best of concurrency ${verifyConcurrencies.map((c, i) => `${c}: ${steadyRate(merged(verifyRoundsAt[i]!)).toFixed(1)}`).join(', ')} /s; its rounds ${range(verifyRounds.map(steadyRate))} /s)`,
    );
    console.log(`${''.padEnd(36)} ${detail(limit)} (concurrency ${limitConcurrency})`);
    line('logins (right clave, 201)', merged(rightRounds), roundRatios(rightRounds));
    line('refused (wrong clave/unknown, 401)', merged(refusedRounds), roundRatios(refusedRounds));
    line('floor: a bare route, same writes', merged(floorRounds), roundRatios(floorRounds));
    // The CPU an attempt may spend beyond its verification, against what each kind spent (this process and PostgreSQL).
    const verifyCpuMs = limit.cpuMs / limit.count;
    const beyond = (phase: Phase) => ms((phase.cpuMs + phase.pgCpuMs) / phase.count - verifyCpuMs);
    console.log(
      `${'CPU per attempt beyond its verify'.padEnd(36)} 0.85 of the limit leaves ${ms(cpuBudgetMs(cores, limitRate, 1, verifyCpuMs, 0.85))}; spent: right ${beyond(merged(rightRounds))}, refused ${beyond(merged(refusedRounds))}, floor ${beyond(merged(floorRounds))}`,
    );
    const singleLatency = summary(single.latencies);
    const verifyAloneMs = summary(verifyAlone.latencies).mean;
    console.log(
      `${`one at a time (${alone} logins)`.padEnd(36)} median ${ms(singleLatency.median)}   mean ${ms(singleLatency.mean)}; one verify alone ${ms(verifyAloneMs)}; so ${ms(singleLatency.mean - verifyAloneMs)} per login beyond the verify`,
    );
    console.log(
      `check: ${sessions - sessionsBefore}/${count + alone} sessions opened; ${failed}/${count + warm} refused attempts audited as failed (${Math.ceil(count / 2)} of them wrong claves over ${people.length} people); ${locked} accounts locked`,
    );
  }
}
