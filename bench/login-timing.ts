// login-timing (issue 4: "the same answer and the same time for a wrong clave and an
// unknown cédula"), on PostgreSQL through Fastify's inject, in a fresh schema: after
// ARGON2_* are raised, accounts keep their older, cheaper hashes until their owners sign in
// again. Can the time of a wrong attempt tell a cédula with a clave from one without?
//
// Half of the accounts hold a clave hashed under older settings (t = 1), half under
// today's (t = 2). Cédulas without a clave are affiliates who never made one and cédulas
// outside the registry. Each cédula gets BENCH_TIMING_TRIES wrong attempts, one request at
// a time, interleaved across the groups; a cédula's time is the median of its attempts,
// and it counts as "fast" below the midpoint between the two kinds of account. Twice:
// before the app has read the settings stored (every dummy under today's settings, as
// before adapters/argon2-dummies.ts existed), and after it has, as it does at start and
// every DUMMY_HASH_REFRESH.
import { randomBytes } from 'node:crypto';
import { dummyLayoutStore } from '../src/adapters/db/dummy-layout-store.ts';
import { nextLayout, settingsKey } from '../src/domain/dummy-layout.ts';
import { dummySeed } from '../src/domain/tokens.ts';
import { createPasswordHasher } from '../src/adapters/password-hasher.ts';
import { demoAffiliate } from '../src/adapters/registry/demo-registry.ts';
import type { TestClave } from '../test/support/clave.ts';
import { elapsedMs, ms, positiveInteger, REGISTRY, summary, withClave } from './support.ts';

const CLAVE = 'tigre-Nube-87-calle';

type Group = 'older' | 'today' | 'affiliateWithout' | 'unknown';
const LABELS: Record<Group, string> = {
  older: 'accounts, clave under older settings',
  today: "accounts, clave under today's settings",
  affiliateWithout: 'affiliates who never made a clave',
  unknown: 'cédulas outside the registry',
};

async function attemptMs(clave: TestClave, cedula: string): Promise<number> {
  const started = process.hrtime.bigint();
  const response = await clave.web.inject({ method: 'POST', url: '/api/v1/sessions', payload: { cedula, password: `${CLAVE}-no` } });
  const took = elapsedMs(started);
  if (response.statusCode !== 401) throw new Error(`login: ${response.statusCode} ${response.body}`);
  return took;
}

/** Per cédula, the median of its wrong attempts; the cédulas of all groups take turns. */
async function timeCedulas(clave: TestClave, groups: Record<Group, string[]>, tries: number): Promise<Record<Group, number[]>> {
  const times = Object.fromEntries(Object.keys(groups).map((group) => [group, [] as number[]])) as Record<Group, number[]>;
  const longest = Math.max(...Object.values(groups).map((cedulas) => cedulas.length));
  for (let i = 0; i < longest; i++) {
    for (const [group, cedulas] of Object.entries(groups) as [Group, string[]][]) {
      const cedula = cedulas[i];
      if (!cedula) continue;
      const samples: number[] = [];
      for (let t = 0; t < tries; t++) samples.push(await attemptMs(clave, cedula));
      times[group].push(summary(samples).median);
    }
  }
  return times;
}

/**
 * Per group: the median time, the share of cédulas that answered fast, and (for cédulas
 * without a clave) the share the app had given older settings: what timing should show.
 */
function report(title: string, times: Record<Group, number[]>, givenOlder: (group: Group) => number | undefined): void {
  const medians = Object.fromEntries(Object.entries(times).map(([group, list]) => [group, summary(list).median])) as Record<Group, number>;
  const threshold = (medians.older + medians.today) / 2;
  console.log(`${title} (fast = below ${threshold.toFixed(2)} ms, midway between the two kinds of account):`);
  for (const [group, list] of Object.entries(times) as [Group, number[]][]) {
    const fast = list.filter((time) => time < threshold).length / list.length;
    const given = givenOlder(group);
    const note = given === undefined ? '' : `   (${(100 * given).toFixed(0)}% given the older settings)`;
    console.log(`  ${LABELS[group].padEnd(40)} median ${ms(medians[group])}   fast ${(100 * fast).toFixed(0).padStart(3)}% of ${list.length}${note}`);
  }
}

export async function benchLoginTiming(): Promise<void> {
  const perGroup = positiveInteger('BENCH_TIMING_CEDULAS', 60);
  const tries = positiveInteger('BENCH_TIMING_TRIES', 3);
  // Both phases' attempts on every cédula stay below the lock; the per-IP limit is the tests' (100000).
  const env = { LOGIN_MAX_FAILURES: '100' };
  await withClave(env, async ({ clave }) => {
    const limits = clave.config.limits;
    const current = createPasswordHasher({ memoryKib: limits.argon2MemoryKib, iterations: limits.argon2Iterations, parallelism: limits.argon2Parallelism });
    const older = createPasswordHasher({ memoryKib: limits.argon2MemoryKib, iterations: 1, parallelism: limits.argon2Parallelism });
    const registered = Array.from({ length: 3 * perGroup }, (_, i) => demoAffiliate(i).affiliate.cedula);
    // Demo cédulas are distinct below 10⁷; those past the loaded registry are in no table.
    const groups: Record<Group, string[]> = {
      older: registered.slice(0, perGroup),
      today: registered.slice(perGroup, 2 * perGroup),
      affiliateWithout: registered.slice(2 * perGroup),
      unknown: Array.from({ length: perGroup }, (_, i) => demoAffiliate(REGISTRY + i).affiliate.cedula),
    };
    for (const [hasher, cedulas] of [[older, groups.older], [current, groups.today]] as const) {
      for (const cedula of cedulas) await clave.db.query("INSERT INTO accounts (cedula, status, password_hash) VALUES ($1, 'active', $2)", [cedula, await hasher.hash(CLAVE)]);
    }
    // Warm-up on other affiliates without a clave, 2 attempts each.
    for (let i = 0; i < 100; i++) await attemptMs(clave, demoAffiliate(3 * perGroup + (i % 50)).affiliate.cedula);

    console.log(`\n== Login timing on PostgreSQL: ${perGroup} cédulas per group, ${tries} wrong attempts each, one at a time (registry of ${REGISTRY}) ==`);
    console.log(`today's settings m=${limits.argon2MemoryKib} KiB, t=${limits.argon2Iterations}; older m=${limits.argon2MemoryKib} KiB, t=1.`);
    const todayKey = settingsKey({ memoryKib: limits.argon2MemoryKib, iterations: limits.argon2Iterations, parallelism: limits.argon2Parallelism });
    if (clave.hasher.dummySettingsFor(randomBytes(32)) !== todayKey) {
      throw new Error('the app had already read the stored settings: the "before" phase would not be one');
    }
    const olderKey = settingsKey({ memoryKib: limits.argon2MemoryKib, iterations: 1, parallelism: limits.argon2Parallelism });
    const givenOlder = (group: Group) =>
      group === 'affiliateWithout' || group === 'unknown'
        ? groups[group].filter((cedula) => clave.hasher.dummySettingsFor(dummySeed(clave.secret, cedula)) === olderKey).length / groups[group].length
        : undefined;
    report("before the stored settings are read (every dummy under today's)", await timeCedulas(clave, groups, tries), givenOlder);
    // What the app does at start and every DUMMY_HASH_REFRESH (services/account/dummy-layout.ts).
    await clave.hasher.useDummyLayout(await dummyLayoutStore(clave.db).recount(0, (previous, mix) => nextLayout(previous, mix, todayKey)));
    report('after they are read (at start and every DUMMY_HASH_REFRESH)', await timeCedulas(clave, groups, tries), givenOlder);
  });
}
