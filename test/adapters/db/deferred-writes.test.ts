import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Database, Sql } from '../../../src/adapters/db/database.ts';
import { deferringWrites } from '../../../src/adapters/db/deferred-writes.ts';
import { backends } from '../../support/backends.ts';

/** The statements that really reach the database. */
function recording(sql: Sql): Sql & { sent: string[] } {
  const sent: string[] = [];
  return {
    sent,
    query<Row>(text: string, params?: readonly unknown[]) {
      sent.push(text);
      return sql.query<Row>(text, params);
    },
    exec: (text) => sql.exec(text),
  };
}

for (const backend of backends()) {
  describe(`writes held back in a transaction, on ${backend.name}`, () => {
    let db: Database;
    let dispose: () => Promise<void>;
    before(async () => {
      ({ db, dispose } = await backend.open());
      await db.exec('CREATE TABLE notes (id int PRIMARY KEY, body text NOT NULL, seen boolean NOT NULL DEFAULT false)');
    });
    after(async () => dispose());

    test('writes without RETURNING go out together, parameters renumbered, before the next read sees them', async () => {
      await db.transaction(async (tx) => {
        const wire = recording(tx);
        const sql = deferringWrites(wire);
        assert.deepEqual(await sql.query('INSERT INTO notes (id, body) VALUES ($1, $2)', [1, 'uno']), []);
        await sql.query('INSERT INTO notes (id, body) VALUES ($1, $2)', [2, 'dos']);
        await sql.query('UPDATE notes SET seen = $2 WHERE id = $1', [3, true]);
        assert.equal(wire.sent.length, 0, 'nothing sent yet');
        const rows = await sql.query<{ id: number; body: string }>('SELECT id, body FROM notes ORDER BY id');
        assert.deepEqual(rows, [{ id: 1, body: 'uno' }, { id: 2, body: 'dos' }]);
        assert.equal(wire.sent.length, 2, 'one statement for the three writes, then the read');
        assert.match(wire.sent[0]!, /^WITH w0 AS \(INSERT .*\$1, \$2.*\), w1 AS \(INSERT .*\$3, \$4.*\), w2 AS \(UPDATE .*\$6 WHERE id = \$5\) SELECT 1$/s);
      });
    });

    test('a write with RETURNING is sent at once, after what was held', async () => {
      await db.transaction(async (tx) => {
        const wire = recording(tx);
        const sql = deferringWrites(wire);
        await sql.query('UPDATE notes SET body = $2 WHERE id = $1', [1, 'one']);
        const [row] = await sql.query<{ body: string }>('UPDATE notes SET seen = true WHERE id = $1 RETURNING body', [1]);
        assert.equal(row?.body, 'one', 'the held write ran first');
        assert.equal(wire.sent.length, 2);
      });
    });

    test('flush sends what is left, and a failing held write fails the transaction', async () => {
      await db.transaction(async (tx) => {
        const sql = deferringWrites(tx);
        await sql.query('DELETE FROM notes WHERE id = $1', [2]);
        await sql.flush();
        await sql.flush();
      });
      assert.deepEqual(await db.query('SELECT id FROM notes ORDER BY id'), [{ id: 1 }]);
      await assert.rejects(
        db.transaction(async (tx) => {
          const sql = deferringWrites(tx);
          await sql.query('INSERT INTO notes (id, body) VALUES ($1, $2)', [5, 'cinco']);
          await sql.query('INSERT INTO notes (id, body) VALUES ($1, $2)', [1, 'duplicada']);
          await sql.flush();
        }),
      );
      assert.deepEqual(await db.query('SELECT id FROM notes ORDER BY id'), [{ id: 1 }], 'nothing of the failed transaction stays');
    });
  });
}
