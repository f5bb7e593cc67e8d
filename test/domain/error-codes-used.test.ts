import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ERROR_CODES } from '../../src/domain/errors.ts';

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return files(path);
    return /\.(ts|njk|json|js)$/.test(name) && !name.startsWith('error-catalogue') ? [path] : [];
  });
}

test('every code the application can show is in the catalogue', () => {
  const src = fileURLToPath(new URL('../../src', import.meta.url));
  const used = new Map<string, string>();
  for (const file of files(src)) {
    for (const [code] of readFileSync(file, 'utf8').matchAll(/CLV-\d{3}/g)) used.set(code, file);
  }
  assert.ok(used.size >= 15, `found only ${used.size} codes: the walk is broken`);
  for (const [code, file] of used) assert.ok((ERROR_CODES as readonly string[]).includes(code), `${code} (in ${file}) is not in the catalogue`);
});
