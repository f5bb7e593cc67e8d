import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadOrCreateSecret } from '../../src/adapters/secret-file.ts';

const freshDataDir = () => join(mkdtempSync(join(tmpdir(), 'clave-secret-')), 'data');
const secretFile = new URL('../../src/adapters/secret-file.ts', import.meta.url).href;

/** Loads the secret in a process that may write no byte to any file, as on a full disk. */
function loadOnFullDisk(dataDir: string) {
  const script = `import { loadOrCreateSecret } from ${JSON.stringify(secretFile)};
    console.log(JSON.stringify(await loadOrCreateSecret(process.argv[1])));`;
  const node = [process.execPath, '--import', 'tsx', '--input-type=module', '-e', script, dataDir];
  return spawnSync('bash', ['-c', 'ulimit -f 0 && exec "$0" "$@"', ...node], { encoding: 'utf8', timeout: 60_000 });
}

test('the secret is generated once, owner-only, and read back the same afterwards', async () => {
  const dataDir = freshDataDir();
  const secret = await loadOrCreateSecret(dataDir);
  assert.match(secret, /^[A-Za-z0-9_-]{43}$/);
  assert.equal(statSync(join(dataDir, 'secret.key')).mode & 0o777, 0o600);
  assert.equal(await loadOrCreateSecret(dataDir), secret);
  assert.deepEqual(readdirSync(dataDir), ['secret.key'], 'no temporary file is left behind');
});

test('starts racing on a fresh DATA_DIR agree on one secret: the first one placed', async () => {
  const dataDir = freshDataDir();
  const secrets = await Promise.all(Array.from({ length: 20 }, () => loadOrCreateSecret(dataDir)));
  assert.equal(new Set(secrets).size, 1);
  assert.equal(readFileSync(join(dataDir, 'secret.key'), 'utf8').trim(), secrets[0]);
  assert.deepEqual(readdirSync(dataDir), ['secret.key']);
});

test('an empty, cut short or mangled secret.key stops the boot, naming the file, and is left as it was', async () => {
  for (const content of ['', '\n', 'abc\n', `${'x'.repeat(31)}\n`, `${'x'.repeat(20)} ${'y'.repeat(20)}\n`, `${'ñ'.repeat(40)}\n`]) {
    const dataDir = freshDataDir();
    await loadOrCreateSecret(dataDir);
    const path = join(dataDir, 'secret.key');
    writeFileSync(path, content);
    await assert.rejects(loadOrCreateSecret(dataDir), (error: Error) => {
      assert.ok(error.message.startsWith(`${path} no contiene un secreto válido`), error.message);
      assert.match(error.message, /bórrelo .* o defina SECRET_KEY/);
      return true;
    }, JSON.stringify(content));
    assert.equal(readFileSync(path, 'utf8'), content);
  }
});

test('a secret.key written by hand is accepted when it has 32 visible characters or more', async () => {
  const dataDir = freshDataDir();
  await loadOrCreateSecret(dataDir);
  const ownSecret = 'Zx9+/Q='.repeat(6);
  writeFileSync(join(dataDir, 'secret.key'), `${ownSecret}\r\n`);
  assert.equal(await loadOrCreateSecret(dataDir), ownSecret);
});

test('a secret that cannot be written stops the boot instead of leaving an empty one', () => {
  const dataDir = freshDataDir();
  const result = loadOnFullDisk(dataDir);
  assert.notEqual(result.status, 0, `a secret was returned: ${result.stdout}`);
  assert.match(result.stderr, new RegExp(`no se pudo guardar el secreto generado en ${join(dataDir, 'secret.key')} .*EFBIG`));
  assert.deepEqual(readdirSync(dataDir), [], 'neither secret.key nor a temporary file is left');
});
