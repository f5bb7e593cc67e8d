// After ARGON2_* are raised, accounts keep their older hashes until their owners sign in
// again, and verifying one costs less than today's settings. A cédula without a clave must
// then cost the same, or timing would tell who has an account: its dummy verification
// follows the settings of the claves stored, from the start and as they change, the same
// on every instance, and the same on every attempt for one cédula.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createClave } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { createPasswordHasher } from '../../src/adapters/password-hasher.ts';
import { dummySeed } from '../../src/domain/tokens.ts';
import type { PasswordHasher } from '../../src/services/journey-ports.ts';
import { backends } from '../support/backends.ts';
import { TEST_ENV } from '../support/clave.ts';
import { loadDemoRegistry, UNKNOWN_CEDULA, verifiedPeople } from '../support/journey.ts';

const CLAVE = 'rio-Azul-58-puente';
const OLDER = '$argon2id$v=19$m=8192,t=1,p=1';
const TODAY = '$argon2id$v=19$m=19456,t=2,p=1';
const seeds = Array.from({ length: 600 }, () => randomBytes(32));

/** The hasher the app would make, noting the seed of every dummy verification. */
function notingSeeds(): { hasher: PasswordHasher; seeds: Buffer[] } {
  const real = createPasswordHasher({ memoryKib: 19_456, iterations: 2, parallelism: 1 });
  const noted: Buffer[] = [];
  return {
    seeds: noted,
    hasher: {
      ...real,
      verifyDummy(password, seed, signal) {
        noted.push(Buffer.from(seed));
        return real.verifyDummy(password, seed, signal);
      },
    },
  };
}

for (const backend of backends()) {
  test(`on ${backend.name}: cédulas without a clave are verified under the settings stored claves have, with the same odds, on every instance`, async () => {
    const { db, dispose } = await backend.open();
    const config = loadConfig({ ...TEST_ENV, DUMMY_HASH_REFRESH: '1s' });
    const people = verifiedPeople().slice(0, 3);
    try {
      const before = await createClave(config, { database: db });
      await loadDemoRegistry(before);
      const older = createPasswordHasher({ memoryKib: 8192, iterations: 1, parallelism: 1 });
      for (const person of people) {
        await db.query("INSERT INTO accounts (cedula, status, password_hash) VALUES ($1, 'active', $2)", [person.affiliate.cedula, await older.hash(CLAVE)]);
      }
      await before.close();
      // As if the layout 'before' counted (no clave yet) were older than DUMMY_HASH_REFRESH / 2.
      await db.query("UPDATE dummy_hash_layout SET counted_at = now() - interval '1 hour'");

      const noting = notingSeeds();
      const clave = await createClave(config, { database: db, hasher: noting.hasher });
      const other = await createClave(config, { database: db });
      try {
        const share = (settings: string) => seeds.filter((seed) => clave.hasher.dummySettingsFor(seed) === settings).length / seeds.length;
        assert.equal(share(OLDER), 1, 'from the start: every stored clave has the older settings');

        const login = (cedula: string, password: string) => clave.web.inject({ method: 'POST', url: '/api/v1/sessions', payload: { cedula, password } });
        for (let attempt = 0; attempt < 3; attempt++) assert.equal((await login(UNKNOWN_CEDULA, CLAVE)).statusCode, 401);
        const expected = dummySeed(clave.secret, UNKNOWN_CEDULA);
        assert.deepEqual(noting.seeds, [expected, expected, expected], "every attempt on one cédula, that cédula's own secret-keyed seed");

        assert.equal((await login(people[0]!.affiliate.cedula, CLAVE)).statusCode, 201);
        await clave.settle(); // the sign-in hashes the clave again under today's settings
        for (let waited = 0; share(TODAY) === 0 && waited < 5000; waited += 50) await new Promise((resolve) => setTimeout(resolve, 50));
        const today = share(TODAY);
        assert.ok(Math.abs(today - 1 / 3) < 0.08, `today's settings for ${today} of the cédulas, as for 1 of the 3 claves`);
        for (let waited = 0; seeds.some((seed) => other.hasher.dummySettingsFor(seed) !== clave.hasher.dummySettingsFor(seed)) && waited < 5000; waited += 50) {
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
        assert.deepEqual(seeds.map(other.hasher.dummySettingsFor), seeds.map(clave.hasher.dummySettingsFor), 'another instance gives every cédula the same settings');
      } finally {
        await clave.close();
        await other.close();
      }
    } finally {
      await dispose();
    }
  });
}
