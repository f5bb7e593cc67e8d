import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Database, Sql } from '../../../src/adapters/db/database.ts';
import { loginStore } from '../../../src/adapters/db/login-store.ts';
import { migrate } from '../../../src/adapters/db/migrate.ts';
import { cedulaRef } from '../../../src/domain/tokens.ts';
import { backends } from '../../support/backends.ts';

const CEDULA = '1710034065';
const REF = cedulaRef('secreto-de-prueba', CEDULA);
const at = new Date('2026-11-24T12:00:00Z');
const audit = { event: 'login', cedula: CEDULA, ip: '203.0.113.9', userAgent: 'prueba', at };
const session = { cedula: CEDULA, createdAt: at, idleExpiresAt: new Date(at.getTime() + 60_000), absoluteExpiresAt: new Date(at.getTime() + 120_000) };

for (const backend of backends()) {
  describe(`login store on ${backend.name}`, () => {
    let db: Database;
    let dispose: () => Promise<void>;
    const store = () => loginStore(db);
    const outcomes = async () => (await db.query<{ outcome: string }>("SELECT outcome FROM audit_events WHERE event = 'login' ORDER BY id")).map((row) => row.outcome);
    const sessions = async () => (await db.query<{ total: number }>('SELECT count(*)::int AS total FROM sessions'))[0]!.total;

    before(async () => {
      ({ db, dispose } = await backend.open());
      await migrate(db);
      await db.query("INSERT INTO affiliates (cedula, nombres, apellidos, fecha_nacimiento, datos_verificados) VALUES ($1, 'Ana', 'Pérez', '1985-03-15', true)", [CEDULA]);
      await db.query("INSERT INTO accounts (cedula, status, password_hash) VALUES ($1, 'active', 'hash-1')", [CEDULA]);
    });
    after(async () => dispose());

    test('parallel attempts each get their own count, before any clave is checked', async () => {
      const claims = await Promise.all(Array.from({ length: 10 }, () => store().claim(CEDULA, REF, at)));
      assert.deepEqual(claims.map((claim) => claim.attempts).sort((a, b) => a - b), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
      assert.equal(claims[0]!.account?.passwordHash, 'hash-1');
      assert.equal(claims[0]!.account?.claveVersion, 0);
      const unknown = await store().claim('0602910945', cedulaRef('secreto-de-prueba', '0602910945'), at);
      assert.deepEqual(unknown, { account: undefined, attempts: 1 }, 'a cédula without an account is counted too');
    });

    test('a sign-in opens the session and clears the count only while the verified clave is still the account\'s', async () => {
      await db.query('UPDATE accounts SET clave_version = 1 WHERE cedula = $1', [CEDULA]);
      assert.equal(await store().succeed(REF, 0, Buffer.alloc(32, 1), session, audit), false, 'the clave changed meanwhile');
      assert.equal(await sessions(), 0);
      assert.equal((await store().claim(CEDULA, REF, at)).attempts, 11, 'nothing was cleared');
      await store().rehash(CEDULA, 'hash-1', 'hash-1-again');
      assert.equal(await store().succeed(REF, 1, Buffer.alloc(32, 2), session, audit), true, 'a re-hash of the same clave is no change');
      assert.equal(await sessions(), 1);
      assert.equal((await store().claim(CEDULA, REF, at)).attempts, 1, 'the count starts again');
      await db.query("UPDATE accounts SET status = 'locked' WHERE cedula = $1", [CEDULA]);
      assert.equal(await store().succeed(REF, 1, Buffer.alloc(32, 3), session, audit), false, 'locked meanwhile');
      assert.equal(await sessions(), 1);
      assert.deepEqual((await outcomes()).slice(-3), ['changed_meanwhile', 'ok', 'changed_meanwhile']);
    });

    test('a failure locks only when told to, and the locks of the last day can be counted', async () => {
      await db.query("UPDATE accounts SET status = 'active' WHERE cedula = $1", [CEDULA]);
      await store().fail(REF, false, audit);
      assert.equal((await db.query<{ status: string }>('SELECT status FROM accounts WHERE cedula = $1', [CEDULA]))[0]!.status, 'active');
      await store().fail(REF, true, audit);
      assert.equal((await db.query<{ status: string }>('SELECT status FROM accounts WHERE cedula = $1', [CEDULA]))[0]!.status, 'locked');
      await store().refuseLocked(REF, audit);
      assert.deepEqual((await outcomes()).slice(-3), ['failed', 'locked_now', 'locked']);
      assert.equal(await store().locksSince(REF, new Date(at.getTime() - 1000)), 1);
      assert.equal(await store().locksSince(REF, at), 0);
    });

    test('only the claim commits without waiting for the WAL flush, and only for itself', async () => {
      const settingAfter = (work: (tx: Sql) => Promise<unknown>) =>
        db.transaction(async (tx) => {
          await work(tx);
          return (await tx.query<{ setting: string }>("SELECT current_setting('synchronous_commit') AS setting"))[0]!.setting;
        });
      assert.equal(await settingAfter((tx) => loginStore(tx).claim(CEDULA, REF, at)), 'off');
      assert.equal(await settingAfter((tx) => loginStore(tx).succeed(REF, 1, Buffer.alloc(32, 4), session, audit)), 'on', 'an answered outcome is flushed');
      assert.equal(await settingAfter((tx) => loginStore(tx).fail(REF, false, audit)), 'on');
      await Promise.all(Array.from({ length: 12 }, () => store().claim(CEDULA, REF, at)));
      const settings = await Promise.all(Array.from({ length: 24 }, async () => (await db.query<{ setting: string }>("SELECT current_setting('synchronous_commit') AS setting"))[0]!.setting));
      assert.deepEqual(new Set(settings), new Set(['on']), 'no pooled connection keeps it');
    });
  });
}
