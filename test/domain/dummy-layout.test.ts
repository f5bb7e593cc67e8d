import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { BUCKETS, isWholeLayout, MAX_SETTINGS, nextLayout, parseSettings, settingsAt, settingsKey, type DummyLayout } from '../../src/domain/dummy-layout.ts';

const key = (iterations: number, memoryKib = 19_456) => settingsKey({ memoryKib, iterations, parallelism: 1 });
const [T1, T2, T3, T4] = [1, 2, 3, 4].map((t) => key(t)) as [string, string, string, string];

const owners = (layout: DummyLayout) => [...layout.buckets].map((index) => layout.settings[index]!);
const share = (layout: DummyLayout, settings: string) => owners(layout).filter((owner) => owner === settings).length / BUCKETS;

/** Every bucket that changed owner between two layouts, as "from → to". */
function moves(before: DummyLayout, after: DummyLayout): Set<string> {
  const [a, b] = [owners(before), owners(after)];
  return new Set(a.flatMap((owner, i) => (owner === b[i] ? [] : [`${owner} → ${b[i]}`])));
}

test('with no clave stored, or none but under today\'s settings, every bucket is today\'s', () => {
  assert.equal(share(nextLayout(undefined, [], T2), T2), 1);
  assert.equal(share(nextLayout(undefined, [{ settings: T2, accounts: 40 }], T2), T2), 1);
});

test('each settings owns its share of the buckets, and a seed lands in its bucket\'s settings', () => {
  const layout = nextLayout(undefined, [{ settings: T1, accounts: 300 }, { settings: T2, accounts: 100 }], T2);
  assert.ok(Math.abs(share(layout, T1) - 0.75) < 1 / BUCKETS);
  const seeds = Array.from({ length: 4000 }, () => randomBytes(32));
  const older = seeds.filter((seed) => settingsAt(layout, seed) === T1).length / seeds.length;
  assert.ok(Math.abs(older - 0.75) < 0.03, `older settings for ${older} of the seeds`);
  assert.equal(settingsAt(layout, seeds[0]!), settingsAt(layout, Buffer.from(seeds[0]!)), 'the same seed, the same settings');
});

test('over three raises, with accounts signing in, joining and leaving, no bucket ever passes from one older settings to another or back from today\'s', () => {
  // Claves per settings as time goes by; today's settings are the last of each step.
  const history: [Record<string, number>, string][] = [
    [{ [T1]: 1000 }, T1],
    [{ [T1]: 1000 }, T2], // raise: nobody has signed in yet
    [{ [T1]: 700, [T2]: 500 }, T2], // sign-ins and new accounts
    [{ [T1]: 650, [T2]: 800 }, T3], // second raise
    [{ [T1]: 640, [T2]: 600, [T3]: 900 }, T3],
    [{ [T1]: 600, [T2]: 590, [T3]: 2000 }, T4], // third raise: three older settings at once
    [{ [T1]: 590, [T2]: 500, [T3]: 1500, [T4]: 3000 }, T4],
    [{ [T1]: 0, [T2]: 450, [T3]: 1400, [T4]: 9000 }, T4], // the oldest is gone
  ];
  let layout: DummyLayout | undefined;
  let before = T1;
  for (const [counts, today] of history) {
    const mix = Object.entries(counts).map(([settings, accounts]) => ({ settings, accounts }));
    const next = nextLayout(layout, mix, today);
    const total = Object.values(counts).reduce((sum, n) => sum + n, 0);
    for (const [settings, accounts] of Object.entries(counts)) {
      if (settings !== today) assert.ok(Math.abs(share(next, settings) - accounts / total) <= 1 / BUCKETS, `${settings}: ${share(next, settings)} of the buckets for ${accounts}/${total} claves`);
    }
    // Real accounts move to whatever was today's since the last count: at a raise, the settings of before too.
    if (layout) for (const move of moves(layout, next)) assert.ok(move.endsWith(`→ ${today}`) || (move.endsWith(`→ ${before}`) && !move.startsWith(today)), `a bucket moved ${move}`);
    layout = next;
    before = today;
  }
  assert.equal(share(layout!, T1), 0);
});

test('a settings whose share grows (accounts deleted) takes its buckets from today\'s only', () => {
  const before = nextLayout(undefined, [{ settings: T1, accounts: 100 }, { settings: T2, accounts: 100 }, { settings: T3, accounts: 200 }], T3);
  const after = nextLayout(before, [{ settings: T1, accounts: 100 }, { settings: T2, accounts: 100 }, { settings: T3, accounts: 100 }], T3);
  assert.ok(Math.abs(share(after, T1) - 1 / 3) <= 1 / BUCKETS);
  assert.deepEqual(moves(before, after), new Set([`${T3} → ${T1}`, `${T3} → ${T2}`]));
});

test(`at most ${MAX_SETTINGS} settings are given buckets, the commonest; ties go by name`, () => {
  const many = Array.from({ length: MAX_SETTINGS + 4 }, (_, i) => ({ settings: key(1, 8192 + i), accounts: i < 2 ? 5 : 100 + i }));
  const layout = nextLayout(undefined, many, T2);
  assert.equal(layout.settings.length, MAX_SETTINGS);
  assert.ok(!layout.settings.includes(many[0]!.settings) && !layout.settings.includes(many[1]!.settings), 'the rarest are left out');
  const tied = [{ settings: key(1, 9000), accounts: 1 }, { settings: key(1, 8192), accounts: 1 }];
  const fifteen = Array.from({ length: MAX_SETTINGS - 2 }, (_, i) => ({ settings: key(2, 10_000 + i), accounts: 50 }));
  assert.deepEqual(nextLayout(undefined, [...tied, ...fifteen], T2).settings, nextLayout(undefined, [...fifteen, ...tied.reverse()], T2).settings, 'the same whatever order the counts came in');
});

test('counts of settings that are not an argon2id hash Clave could have made are left out; spellings of the same settings are one', () => {
  const layout = nextLayout(
    undefined,
    [
      { settings: '$argon2i$v=19$m=8192,t=1,p=1', accounts: 1000 },
      { settings: '$argon2id$v=16$m=8192,t=1,p=1', accounts: 1000 },
      { settings: '$argon2id$v=19$m=99999999,t=1,p=1', accounts: 1000 },
      { settings: '$argon2id$v=19$m=8192,t=0,p=1', accounts: 1000 },
      { settings: '$argon2id$v=19$m=8192,t=11,p=1', accounts: 1000 },
      { settings: '$argon2id$v=19$m=8192,t=1,p=17', accounts: 1000 },
      { settings: '$bcrypt$x$y', accounts: 1000 },
      { settings: '$argon2id$v=19$m=8192,t=1,p=1', accounts: 0 },
      { settings: '$argon2id$v=19$m=08192,t=01,p=1', accounts: 1 },
      { settings: T2, accounts: 1 },
    ],
    T2,
  );
  assert.deepEqual(layout.settings, [key(1, 8192), T2].sort());
  assert.ok(Math.abs(share(layout, key(1, 8192)) - 0.5) <= 1 / BUCKETS);
});

test('parseSettings accepts what ARGON2_* accept above and what argon2 itself accepts below', () => {
  assert.deepEqual(parseSettings('$argon2id$v=19$m=19456,t=2,p=1'), { memoryKib: 19456, iterations: 2, parallelism: 1 });
  assert.deepEqual(parseSettings('$argon2id$v=19$m=16,t=1,p=2'), { memoryKib: 16, iterations: 1, parallelism: 2 });
  assert.equal(parseSettings('$argon2id$v=19$m=15,t=1,p=2'), undefined, 'under 8 KiB a lane');
  assert.equal(parseSettings('$argon2id$v=19$m=1048577,t=1,p=1'), undefined, 'more memory than ARGON2_MEMORY_KIB allows');
});

test('a settings with too few accounts for a share of the buckets still gets one, or its accounts would stand out for sure', () => {
  const layout = nextLayout(undefined, [{ settings: T1, accounts: 10 }, { settings: T2, accounts: 1_000_000 }], T2);
  assert.equal(share(layout, T1), 1 / BUCKETS);
  const later = nextLayout(layout, [{ settings: T1, accounts: 3 }, { settings: T2, accounts: 2_000_000 }], T2);
  assert.deepEqual(moves(layout, later), new Set(), 'and keeps it while any are left');
});

test('a layout read back is whole only with every bucket, settings it knows once each, and owners among them', () => {
  const layout = nextLayout(undefined, [{ settings: T1, accounts: 1 }, { settings: T2, accounts: 1 }], T2);
  assert.equal(isWholeLayout(layout), true);
  assert.equal(isWholeLayout({ ...layout, buckets: layout.buckets.slice(1) }), false, 'a bucket short');
  assert.equal(isWholeLayout({ ...layout, settings: [T1] }), false, 'an owner out of range');
  assert.equal(isWholeLayout({ ...layout, settings: [T1, T1] }), false, 'the same settings twice');
  assert.equal(isWholeLayout({ ...layout, settings: [T1, 'nonsense'] }), false, 'settings it does not know');
});
