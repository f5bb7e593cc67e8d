import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Database } from '../../../src/adapters/db/database.ts';
import { dummyLayoutStore } from '../../../src/adapters/db/dummy-layout-store.ts';
import { migrate } from '../../../src/adapters/db/migrate.ts';
import { BUCKETS, nextLayout, settingsKey, type DummyLayout, type SettingsShare } from '../../../src/domain/dummy-layout.ts';
import { backends } from '../../support/backends.ts';

const OLDER = settingsKey({ memoryKib: 12_288, iterations: 3, parallelism: 1 });
const TODAY = settingsKey({ memoryKib: 19_456, iterations: 2, parallelism: 1 });
const HOUR = 3_600_000;

for (const backend of backends()) {
  describe(`dummy layout store on ${backend.name}`, () => {
    let db: Database;
    let dispose: () => Promise<void>;
    const store = () => dummyLayoutStore(db);
    const olderBuckets = async () => {
      const { layout } = (await store().read(HOUR))!;
      return layout.buckets.filter((index) => layout.settings[index] === OLDER).length;
    };

    before(async () => {
      ({ db, dispose } = await backend.open());
      await migrate(db);
      const stored = {
        '0602910945': `${TODAY}$c2FsdHNhbHQ$aGFzaGhhc2g`,
        '0926687856': `${TODAY}$b3RoZXJzYWx0$b3RoZXJoYXNo`,
        '1104680135': `${OLDER}$c2FsdHNhbHQ$aGFzaGhhc2g`,
        '1713175071': null,
        '1710034065': 'hash-1',
      };
      for (const [cedula, hash] of Object.entries(stored)) {
        await db.query("INSERT INTO affiliates (cedula, nombres, apellidos, fecha_nacimiento, datos_verificados) VALUES ($1, 'Ana', 'Pérez', '1985-03-15', true)", [cedula]);
        await db.query("INSERT INTO accounts (cedula, status, password_hash) VALUES ($1, 'active', $2)", [cedula, hash]);
      }
    });
    after(async () => dispose());

    test('no layout at first; a count reads the settings of every stored argon2id clave, and its layout comes back bucket for bucket', async () => {
      assert.equal(await store().read(HOUR), undefined);
      let counted: SettingsShare[] = [];
      const made = await store().recount(HOUR, (previous, mix) => {
        assert.equal(previous, undefined);
        counted = mix;
        return nextLayout(previous, mix, TODAY);
      });
      assert.deepEqual(
        counted.sort((a, b) => a.settings.localeCompare(b.settings)),
        [
          { settings: OLDER, accounts: 1 },
          { settings: TODAY, accounts: 2 },
        ],
        "the account with 'hash-1' and the one without a clave are left out",
      );
      const read = (await store().read(HOUR))!;
      assert.equal(read.fresh, true);
      assert.deepEqual(read.layout.settings, [OLDER, TODAY]);
      assert.equal(read.layout.buckets.length, BUCKETS);
      assert.deepEqual(Buffer.from(read.layout.buckets), Buffer.from(made.buckets));
      assert.equal((await store().read(0))!.fresh, false, 'not fresh when nothing counts as fresh');
    });

    test('instances counting at once take turns, each from the layout before; one counted meanwhile is used as it is', async () => {
      let counts = 0;
      // Each count moves one more bucket to today's settings.
      const oneMore = (previous: DummyLayout | undefined): DummyLayout => {
        counts++;
        const buckets = Uint8Array.from(previous!.buckets);
        buckets[buckets.indexOf(previous!.settings.indexOf(OLDER))] = previous!.settings.indexOf(TODAY);
        return { settings: previous!.settings, buckets };
      };
      const start = await olderBuckets();
      // Fresh only if counted after this count began: some may find one, none is lost.
      await Promise.all(Array.from({ length: 8 }, () => dummyLayoutStore(db).recount(0, oneMore)));
      assert.ok(counts >= 1);
      assert.equal(await olderBuckets(), start - counts, 'every count followed from the one before');
      counts = 0;
      await db.query("UPDATE dummy_hash_layout SET counted_at = now() - interval '2 hours'");
      await Promise.all(Array.from({ length: 6 }, () => dummyLayoutStore(db).recount(HOUR, oneMore)));
      assert.equal(counts, 1, 'the first to count makes the layout fresh for the others');
    });

    test('a stored row that is not a whole layout is read as none, and the next count starts afresh', async () => {
      for (const broken of ["buckets = '\\x0001'::bytea", "settings = ARRAY['$argon2id$v=19$m=19456,t=2,p=1']", "settings = ARRAY['nonsense', 'otra']"]) {
        await db.query(`UPDATE dummy_hash_layout SET ${broken}`);
        assert.equal(await store().read(HOUR), undefined, broken);
        let previousSeen: DummyLayout | undefined = { settings: [], buckets: new Uint8Array() };
        await store().recount(HOUR, (previous, mix) => ((previousSeen = previous), nextLayout(previous, mix, TODAY)));
        assert.equal(previousSeen, undefined, broken);
        assert.ok((await store().read(HOUR))!.fresh);
      }
    });
  });
}
