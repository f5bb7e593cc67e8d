import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { argon2Dummies } from '../../src/adapters/argon2-dummies.ts';
import { createPasswordHasher } from '../../src/adapters/password-hasher.ts';
import { nextLayout, settingsKey, type Argon2Cost } from '../../src/domain/dummy-layout.ts';

const today: Argon2Cost = { memoryKib: 8192, iterations: 2, parallelism: 1 };
const older: Argon2Cost = { memoryKib: 8192, iterations: 1, parallelism: 1 };
const TODAY = settingsKey(today);
const OLDER = settingsKey(older);
const seeds = Array.from({ length: 2000 }, () => randomBytes(32));
const layoutOf = (counts: Record<string, number>) => nextLayout(undefined, Object.entries(counts).map(([settings, accounts]) => ({ settings, accounts })), TODAY);

/** Dummies whose "hashes" say what they were made for, recording each one made. */
function recordingDummies(fail = () => false) {
  const made: string[] = [];
  const dummies = argon2Dummies(today, async (cost) => {
    if (fail()) throw new Error('out of memory');
    made.push(settingsKey(cost));
    return `dummy for ${settingsKey(cost)}`;
  });
  return { dummies, made };
}

const shareOf = (settings: string, pick: (seed: Buffer) => string) => seeds.filter((seed) => pick(seed) === settings).length / seeds.length;

test("before any layout is used, every cédula gets a dummy under today's settings", async () => {
  const { dummies } = recordingDummies();
  assert.equal(shareOf(TODAY, dummies.settingsFor), 1);
  assert.equal(await dummies.hashFor(seeds[0]!), `dummy for ${TODAY}`);
});

test('a layout is used once a dummy exists for each of its settings; each is made once, and dropped when no longer used', async () => {
  const { dummies, made } = recordingDummies();
  await dummies.use(layoutOf({ [OLDER]: 300, [TODAY]: 100 }));
  assert.deepEqual(made.sort(), [OLDER, TODAY].sort());
  assert.ok(Math.abs(shareOf(OLDER, dummies.settingsFor) - 0.75) < 0.04);
  for (const seed of seeds.slice(0, 20)) assert.equal(await dummies.hashFor(seed), `dummy for ${dummies.settingsFor(seed)}`);
  await dummies.use(layoutOf({ [OLDER]: 100, [TODAY]: 300 }));
  assert.equal(made.length, 2, 'not made again');
  await dummies.use(layoutOf({ [TODAY]: 300 }));
  await dummies.use(layoutOf({ [OLDER]: 1 }));
  assert.deepEqual(made.slice(2), [OLDER], 'made again after it had been dropped');
});

test('a layout whose dummy cannot be made is not used, and the dummy is tried again next time', async () => {
  let failures = 1;
  const { dummies } = recordingDummies(() => failures-- > 0);
  await assert.rejects(dummies.use(layoutOf({ [OLDER]: 1 })), /out of memory/);
  assert.equal(shareOf(TODAY, dummies.settingsFor), 1, 'the last layout stays');
  await dummies.use(layoutOf({ [OLDER]: 1 }));
  assert.equal(shareOf(OLDER, dummies.settingsFor), 1);
});

test('the hasher verifies a cédula without a clave against the dummy of its settings, and never says yes', async () => {
  const hasher = createPasswordHasher({ ...today, concurrency: 1, queueLimit: 1 });
  const stored = await createPasswordHasher(older).hash('tigre-Nube-87-calle');
  // A full queue does not keep the layout's dummies from being made.
  const busy = [hasher.hash('uno'), hasher.hash('dos')];
  await hasher.useDummyLayout(layoutOf({ [stored.split('$').slice(0, 4).join('$')]: 1 }));
  await Promise.all(busy);
  const seed = seeds[0]!;
  assert.equal(hasher.dummySettingsFor(seed), OLDER);
  assert.equal(await hasher.verifyDummy('tigre-Nube-87-calle', seed), false);
  assert.equal(await hasher.verify(stored, 'tigre-Nube-87-calle'), true, 'the real clave under the same settings does verify');
});
