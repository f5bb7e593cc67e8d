import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Database } from '../../../src/adapters/db/database.ts';
import { dummyLayoutStore } from '../../../src/adapters/db/dummy-layout-store.ts';
import { migrate } from '../../../src/adapters/db/migrate.ts';
import { BUCKETS, nextLayout, settingsKey, type DummyLayout } from '../../../src/domain/dummy-layout.ts';
import { backends } from '../../support/backends.ts';

const OLDER = settingsKey({ memoryKib: 19_456, iterations: 1, parallelism: 1 });
const TODAY = settingsKey({ memoryKib: 19_456, iterations: 2, parallelism: 1 });
const at = new Date('2026-11-24T12:00:00Z');

for (const backend of backends()) {
  describe(`dummy layout store on ${backend.name}`, () => {
    let db: Database;
    let dispose: () => Promise<void>;
    before(async () => {
      ({ db, dispose } = await backend.open());
      await migrate(db);
    });
    after(async () => dispose());

    test('no layout at first; a layout comes back bucket for bucket, with when it was counted', async () => {
      const store = dummyLayoutStore(db);
      assert.equal(await store.read(), undefined);
      const made = await store.replace((previous) => {
        assert.equal(previous, undefined);
        return nextLayout(previous, [{ settings: OLDER, accounts: 1 }, { settings: TODAY, accounts: 2 }], TODAY);
      }, at);
      const read = await store.read();
      assert.deepEqual(read?.settings, [OLDER, TODAY]);
      assert.equal(read?.buckets.length, BUCKETS);
      assert.deepEqual(Buffer.from(read!.buckets), Buffer.from(made.buckets));
      assert.equal(read?.countedAt.getTime(), at.getTime());
    });

    test('instances replacing it at once take turns: each next layout follows from the one before', async () => {
      const store = dummyLayoutStore(db);
      let replaced = 0;
      // Each replacement moves one more bucket to today's settings.
      const oneMore = (previous: DummyLayout | undefined): DummyLayout => {
        replaced++;
        const buckets = Uint8Array.from(previous!.buckets);
        buckets[buckets.indexOf(previous!.settings.indexOf(OLDER))] = previous!.settings.indexOf(TODAY);
        return { settings: previous!.settings, buckets };
      };
      const olderBuckets = async () => {
        const layout = (await store.read())!;
        return layout.buckets.filter((index) => layout.settings[index] === OLDER).length;
      };
      const start = await olderBuckets();
      const later = (seconds: number) => new Date(at.getTime() + 1000 * seconds);
      await Promise.all(Array.from({ length: 8 }, (_, i) => dummyLayoutStore(db).replace(oneMore, later(i + 1))));
      assert.ok(replaced >= 1);
      assert.equal(await olderBuckets(), start - replaced, 'no replacement was lost');
      assert.equal((await store.read())!.countedAt.getTime(), later(8).getTime(), 'the latest count is the one kept');
    });

    test('a count begun before the one stored does not replace it', async () => {
      const store = dummyLayoutStore(db);
      const stored = (await store.read())!;
      const kept = await store.replace(() => assert.fail('no next layout is made from an older count'), at);
      assert.deepEqual(Buffer.from(kept.buckets), Buffer.from(stored.buckets));
      assert.equal((await store.read())!.countedAt.getTime(), stored.countedAt.getTime());
    });
  });
}
