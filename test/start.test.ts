import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
  const home = await fetch(`http://127.0.0.1:${port}/`);
  assert.equal(home.status, 200);
  assert.match(await home.text(), /Gestione su clave personal/);
  assert.equal(await first.stop(), 0, 'SIGTERM stops cleanly');

  const second = await startServer(env);
  assert.doesNotMatch(second.output(), /Registro de demostración cargado/);
  assert.match(second.output(), new RegExp(demoCedulas[0]!), 'demo people still shown');
  assert.equal(await second.stop(), 0);

  const db = await openPglite(dataDir);
  try {
    const [row] = await db.query<{ total: number }>('SELECT count(*) AS total FROM affiliates');
    assert.equal(row?.total, 60);
  } finally {
    await db.close();
  }
});
