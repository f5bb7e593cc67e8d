// After ARGON2_* are raised, accounts keep their older hashes until their owners sign in
// again, and verifying one costs less than today's settings. A cédula without a clave must
// then cost the same, or timing would tell who has an account: its dummy verification
// follows the settings of the claves stored, from the start and as they change.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createClave } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { createPasswordHasher } from '../../src/adapters/password-hasher.ts';
import { backends } from '../support/backends.ts';
import { TEST_ENV } from '../support/clave.ts';
import { loadDemoRegistry, verifiedPeople } from '../support/journey.ts';

const CLAVE = 'rio-Azul-58-puente';
const OLDER = '$argon2id$v=19$m=8192,t=1,p=1';
const TODAY = '$argon2id$v=19$m=19456,t=2,p=1';
const seeds = Array.from({ length: 600 }, () => randomBytes(32));

for (const backend of backends()) {
  test(`on ${backend.name}: cédulas without a clave are verified under the settings stored claves have, with the same odds`, async () => {
    const { db, dispose } = await backend.open();
    const env = loadConfig({ ...TEST_ENV, DUMMY_HASH_REFRESH: '100ms' });
    const people = verifiedPeople().slice(0, 3);
    try {
      const before = await createClave(env, { database: db });
      await loadDemoRegistry(before);
      const older = createPasswordHasher({ memoryKib: 8192, iterations: 1, parallelism: 1 });
      for (const person of people) {
        await db.query("INSERT INTO accounts (cedula, status, password_hash) VALUES ($1, 'active', $2)", [person.affiliate.cedula, await older.hash(CLAVE)]);
      }
      await before.close();

      const clave = await createClave(env, { database: db });
      try {
        const share = (settings: string) => seeds.filter((seed) => clave.hasher.dummySettingsFor(seed) === settings).length / seeds.length;
        assert.equal(share(OLDER), 1, 'from the start: every stored clave has the older settings');
        assert.equal(await clave.hasher.verifyDummy(CLAVE, seeds[0]!), false);

        const signIn = await clave.web.inject({ method: 'POST', url: '/api/v1/sessions', payload: { cedula: people[0]!.affiliate.cedula, password: CLAVE } });
        assert.equal(signIn.statusCode, 201);
        await clave.settle(); // the sign-in hashes the clave again under today's settings
        for (let waited = 0; share(TODAY) === 0 && waited < 5000; waited += 50) await new Promise((resolve) => setTimeout(resolve, 50));
        const today = share(TODAY);
        assert.ok(Math.abs(today - 1 / 3) < 0.08, `today's settings for ${today} of the cédulas, as for 1 of the 3 claves`);
        assert.equal(share(TODAY) + share(OLDER), 1);
      } finally {
        await clave.close();
      }
    } finally {
      await dispose();
    }
  });
}
