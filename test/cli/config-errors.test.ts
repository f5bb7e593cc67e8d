import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const bin = new URL('../../bin/clave.js', import.meta.url).pathname;

function serveWith(env: Record<string, string>) {
  const dataDir = mkdtempSync(join(tmpdir(), 'clave-config-'));
  return spawnSync(process.execPath, [bin, 'serve'], {
    env: { PATH: process.env.PATH ?? '', DATA_DIR: dataDir, ...env },
    encoding: 'utf8',
    timeout: 30_000,
  });
}

for (const [variable, value] of [['PORT', 'abc'], ['DATABASE_URL', 'mysql://x']] as const) {
  test(`${variable}=${value} stops the boot with one line naming it`, () => {
    const result = serveWith({ [variable]: value });
    assert.notEqual(result.status, 0);
    const lines = result.stderr.trim().split('\n');
    assert.equal(lines.length, 1, result.stderr);
    assert.match(lines[0]!, new RegExp(`^clave: configuración inválida: ${variable}: `));
    assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
    assert.equal(result.stdout, '');
  });
}

test('production without SECRET_KEY refuses to start', () => {
  const result = serveWith({ NODE_ENV: 'production', PUBLIC_URL: 'https://clave.example', SMTP_URL: 'smtp://127.0.0.1:2525' });
  assert.notEqual(result.status, 0);
  assert.match(result.stderr, /SECRET_KEY/);
});

test('an unknown command prints the usage and fails', () => {
  const result = spawnSync(process.execPath, [bin, 'volar'], { encoding: 'utf8' });
  assert.equal(result.status, 2);
  assert.match(result.stdout, /Uso: clave/);
});
