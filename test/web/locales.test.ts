import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { catalogueKeys, translator } from '../../src/web/i18n.ts';

test('Spanish and English have exactly the same keys', () => {
  assert.deepEqual(catalogueKeys('en'), catalogueKeys('es'));
});

test('placeholders match between the two languages', () => {
  const es = translator('es');
  const en = translator('en');
  const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
  for (const key of catalogueKeys('es')) assert.deepEqual(placeholders(en(key)), placeholders(es(key)), key);
});

function templates(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? templates(path) : name.endsWith('.njk') ? [path] : [];
  });
}

test('every key a template uses exists in the catalogue', () => {
  const webDir = fileURLToPath(new URL('../../src/web', import.meta.url));
  const keys = new Set(catalogueKeys('es'));
  for (const file of templates(webDir)) {
    const text = readFileSync(file, 'utf8');
    for (const [, key] of text.matchAll(/\bt\('([\w.]+)'\s*[,)]/g)) assert.ok(keys.has(key!), `${file}: ${key}`);
  }
});

test('translation fills placeholders', () => {
  assert.equal(translator('es', { institute: 'IESS' })('home.outdatedBody').includes('IESS'), true);
});
