import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { argon2Dummies, MAX_MIRRORED, parseSettings, settingsKey, type Argon2Cost } from '../../src/adapters/argon2-dummies.ts';
import { createPasswordHasher } from '../../src/adapters/password-hasher.ts';

const today: Argon2Cost = { memoryKib: 8192, iterations: 2, parallelism: 1 };
const older: Argon2Cost = { memoryKib: 8192, iterations: 1, parallelism: 1 };
const TODAY = settingsKey(today);
const OLDER = settingsKey(older);
const seeds = Array.from({ length: 4000 }, () => randomBytes(32));

/** A dummies table whose "hashes" say what they were made for, and how often each was made. */
function recordingDummies() {
  const made: string[] = [];
  const dummies = argon2Dummies(today, async (cost) => {
    made.push(settingsKey(cost));
    return `dummy for ${settingsKey(cost)}`;
  });
  return { dummies, made };
}

const shareOf = (settings: string, pick: (seed: Buffer) => string) => seeds.filter((seed) => pick(seed) === settings).length / seeds.length;

test('before any stored settings are known, every cédula gets a dummy under today\'s settings', async () => {
  const { dummies } = recordingDummies();
  assert.equal(shareOf(TODAY, dummies.settingsFor), 1);
  assert.equal(await dummies.hashFor(seeds[0]!), `dummy for ${TODAY}`);
});

test('cédulas get each stored settings with the odds a stored clave has them, and keep them', async () => {
  const { dummies } = recordingDummies();
  await dummies.mirror([
    { settings: OLDER, accounts: 300 },
    { settings: TODAY, accounts: 100 },
  ]);
  const older = shareOf(OLDER, dummies.settingsFor);
  assert.ok(Math.abs(older - 0.75) < 0.03, `older settings for ${older} of the cédulas, not 0.75`);
  for (const seed of seeds.slice(0, 50)) {
    assert.equal(dummies.settingsFor(seed), dummies.settingsFor(Buffer.from(seed)), 'the same seed, the same settings');
    assert.equal(await dummies.hashFor(seed), `dummy for ${dummies.settingsFor(seed)}`);
  }
});

test('after one raise, as old hashes are replaced at sign-in, a cédula only ever moves from the old settings to today\'s', async () => {
  const { dummies } = recordingDummies();
  await dummies.mirror([{ settings: OLDER, accounts: 800 }, { settings: TODAY, accounts: 200 }]);
  const before = seeds.map(dummies.settingsFor);
  await dummies.mirror([{ settings: OLDER, accounts: 700 }, { settings: TODAY, accounts: 300 }]);
  const moved = seeds.map((seed, i) => [before[i], dummies.settingsFor(seed)] as const).filter(([was, now]) => was !== now);
  assert.ok(moved.length > 0, 'some cédulas moved');
  assert.ok(
    moved.every(([was, now]) => was === OLDER && now === TODAY),
    'only from the older settings to today\'s',
  );
});

test('the dummy for new settings is made before the new mix is used, once, and dropped when no clave has them any more', async () => {
  const { dummies, made } = recordingDummies();
  await dummies.mirror([{ settings: OLDER, accounts: 1 }]);
  assert.deepEqual(made, [OLDER]);
  assert.equal(shareOf(OLDER, dummies.settingsFor), 1, 'every cédula, when every stored clave is under the older settings');
  await dummies.mirror([{ settings: OLDER, accounts: 2 }]);
  assert.deepEqual(made, [OLDER], 'not made again');
  await dummies.mirror([{ settings: TODAY, accounts: 2 }]);
  await dummies.mirror([{ settings: OLDER, accounts: 2 }]);
  assert.deepEqual(made, [OLDER, TODAY, OLDER], 'made again after it had been dropped');
});

test('a mix whose dummy cannot be made is not used, and the dummy is tried again next time', async () => {
  let failures = 1;
  const dummies = argon2Dummies(today, async (cost) => {
    if (failures-- > 0) throw new Error('out of memory');
    return `dummy for ${settingsKey(cost)}`;
  });
  await assert.rejects(dummies.mirror([{ settings: OLDER, accounts: 1 }]), /out of memory/);
  assert.equal(shareOf(TODAY, dummies.settingsFor), 1, 'the last mix stays');
  await dummies.mirror([{ settings: OLDER, accounts: 1 }]);
  assert.equal(shareOf(OLDER, dummies.settingsFor), 1);
});

test('settings that are not an argon2id hash of ours are left out; spellings of the same settings are one', async () => {
  const { dummies, made } = recordingDummies();
  await dummies.mirror([
    { settings: '$argon2i$v=19$m=8192,t=1,p=1', accounts: 1000 },
    { settings: '$argon2id$v=16$m=8192,t=1,p=1', accounts: 1000 },
    { settings: '$argon2id$v=19$m=99999999,t=1,p=1', accounts: 1000 },
    { settings: '$argon2id$v=19$m=8192,t=0,p=1', accounts: 1000 },
    { settings: '$argon2id$v=19$m=8,t=1,p=4', accounts: 1000 },
    { settings: '$bcrypt$x$y', accounts: 1000 },
    { settings: '$argon2id$v=19$m=8192,t=1,p=1', accounts: 0 },
    { settings: '$argon2id$v=19$m=08192,t=01,p=1', accounts: 1 },
    { settings: TODAY, accounts: 1 },
  ]);
  assert.deepEqual(made.sort(), [OLDER, TODAY].sort());
  assert.ok(Math.abs(shareOf(OLDER, dummies.settingsFor) - 0.5) < 0.03);
  assert.equal(parseSettings('$argon2id$v=19$m=1048577,t=1,p=1'), undefined, 'more memory than ARGON2_MEMORY_KIB allows');
  assert.deepEqual(parseSettings('$argon2id$v=19$m=19456,t=2,p=1'), { memoryKib: 19456, iterations: 2, parallelism: 1 });
});

test(`at most ${MAX_MIRRORED} settings are mirrored, the commonest`, async () => {
  const { dummies, made } = recordingDummies();
  const many = Array.from({ length: MAX_MIRRORED + 4 }, (_, i) => ({ settings: settingsKey({ memoryKib: 8192 + i, iterations: 1, parallelism: 1 }), accounts: 100 + i }));
  await dummies.mirror(many);
  assert.equal(made.length, MAX_MIRRORED);
  assert.ok(!made.includes(many[0]!.settings), 'the rarest is left out');
});

test('the hasher verifies a cédula without a clave against the dummy of the settings it was given, and never says yes', async () => {
  const hasher = createPasswordHasher(today);
  const stored = await createPasswordHasher(older).hash('tigre-Nube-87-calle');
  await hasher.mirrorStoredSettings([{ settings: stored.split('$').slice(0, 4).join('$'), accounts: 1 }]);
  const seed = seeds[0]!;
  assert.equal(hasher.dummySettingsFor(seed), OLDER);
  assert.equal(await hasher.verifyDummy('tigre-Nube-87-calle', seed), false);
  assert.equal(await hasher.verify(stored, 'tigre-Nube-87-calle'), true, 'the real clave under the same settings does verify');
});
