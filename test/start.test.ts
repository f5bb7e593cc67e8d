import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Database } from '../src/adapters/db/database.ts';
import { openPglite } from '../src/adapters/db/pglite.ts';
import { freePort, killAllServers, startServer } from './support/process.ts';

after(killAllServers);

test('npm start: serves the portal on the embedded database, loads the demo registry once, keeps data across restarts', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'clave-start-'));
  const port = await freePort();
  const env = { DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn' };

  const first = await startServer(env);
  assert.match(first.output(), /Registro de demostración cargado: 60 afiliados/);
  const demoCedulas = [...first.output().matchAll(/^ {2}(\d{10}) {2}/gm)].map((m) => m[1]);
  assert.equal(demoCedulas.length, 3, first.output());
  assert.match(first.output(), /nació el \d{2}\/\d{2}\/\d{4}/);
  assert.match(first.output(), /empleadores: .+/);
  assert.match(first.output(), /nadie tiene clave todavía: empiece con Generar clave/);
  assert.match(first.output(), /Con datos de contacto sin verificar \(no se le envía nada, CLV-012\): \d{10} /, 'the journeys where nothing comes can be tried too');
  assert.match(first.output(), /Una cédula válida que no está en el registro \(tampoco recibe nada\): 1710034065/);
  const home = await fetch(`http://127.0.0.1:${port}/`);
  assert.equal(home.status, 200);
  assert.match(await home.text(), /Gestione su clave personal/);
  assert.equal(await first.stop(), 0, 'SIGTERM stops cleanly');
  await withDatabase(dataDir, (db) => db.query("INSERT INTO captcha_uses (challenge_hash, expires_at) VALUES (sha256('caducado'::bytea), now() - interval '1 hour')"));

  const second = await startServer(env);
  assert.doesNotMatch(second.output(), /Registro de demostración cargado/);
  assert.match(second.output(), new RegExp(demoCedulas[0]!), 'demo people still shown');
  assert.equal(await second.stop(), 0);

  await withDatabase(dataDir, async (db) => {
    const [row] = await db.query<{ affiliates: number; expired: number }>('SELECT (SELECT count(*) FROM affiliates) AS affiliates, (SELECT count(*) FROM captcha_uses) AS expired');
    assert.equal(row?.affiliates, 60);
    assert.equal(row?.expired, 0, 'the retention purge ran at start');
  });
});

async function withDatabase(dataDir: string, work: (db: Database) => Promise<unknown>): Promise<void> {
  const db = await openPglite(dataDir);
  try {
    await work(db);
  } finally {
    await db.close();
  }
}
