import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const bin = new URL('../../bin/clave.js', import.meta.url).pathname;
const fixture = (name: string) => new URL(`../fixtures/${name}`, import.meta.url).pathname;
const dataDir = mkdtempSync(join(tmpdir(), 'clave-import-'));

function run(env: Record<string, string>, args: string[]) {
  return spawnSync(process.execPath, [bin, ...args], {
    env: { PATH: process.env.PATH ?? '', DATA_DIR: dataDir, LOG_LEVEL: 'silent', ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
}

const clave = (...args: string[]) => run({}, args);
const claveInMemory = (...args: string[]) => run({ DATABASE_URL: 'memory://' }, args);

test('clave import loads the good rows, reports the bad ones by line, and is idempotent', () => {
  const first = clave('import', '--affiliates', fixture('afiliados-10-buenos-3-malos.csv'), '--employment', fixture('empleos-5-buenos-2-malos.csv'));
  assert.equal(first.status, 0, first.stderr);
  assert.match(first.stdout, /afiliados .*: 10 cargadas, 0 actualizadas, 0 sin cambios, 3 rechazadas/);
  assert.match(first.stdout, /empleos .*: 5 cargadas, 0 actualizadas, 0 sin cambios, 2 rechazadas/);
  for (const line of [5, 10, 14]) assert.match(first.stderr, new RegExp(`afiliados-10-buenos-3-malos\\.csv:${line}: `));

  const second = clave('import', '--affiliates', fixture('afiliados-10-buenos-3-malos.csv'));
  assert.equal(second.status, 0, second.stderr);
  assert.match(second.stdout, /0 cargadas, 0 actualizadas, 10 sin cambios, 3 rechazadas/);
});

test('clave import fails when nothing could be loaded', () => {
  const allBad = join(dataDir, 'todo-mal.csv');
  writeFileSync(allBad, 'cedula,nombres,apellidos,fecha_nacimiento,correo,celular,datos_verificados\n1712345678,A,B,1970-01-01,,,si\n');
  const result = clave('import', '--affiliates', allBad);
  assert.equal(result.status, 1);
  assert.match(result.stdout, /0 cargadas, 0 actualizadas, 0 sin cambios, 1 rechazadas/);
});

test('clave import explains a missing file or header in one line', () => {
  const missing = clave('import', '--affiliates', join(dataDir, 'no-existe.csv'));
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, /^clave: .*no-existe\.csv/);
  const headerless = join(dataDir, 'sin-cabecera.csv');
  writeFileSync(headerless, '1710034065,Ana\n');
  const result = clave('import', '--affiliates', headerless);
  assert.equal(result.status, 1);
  assert.match(result.stderr, /faltan columnas/);
  assert.equal(clave('import').status, 2);
});

test('clave demo-data writes a registry that clave import accepts whole', () => {
  const out = join(dataDir, 'demo');
  const written = clave('demo-data', '--affiliates', '200', '--out', out);
  assert.equal(written.status, 0, written.stderr);
  const imported = clave('import', '--affiliates', join(out, 'afiliados.csv'), '--employment', join(out, 'empleos.csv'));
  assert.equal(imported.status, 0, imported.stderr);
  assert.match(imported.stdout, /afiliados .*: 200 cargadas, 0 actualizadas, 0 sin cambios, 0 rechazadas/);
  assert.match(imported.stdout, /empleos .*: \d+ cargadas, 0 actualizadas, 0 sin cambios, 0 rechazadas/);
});

test('one stray quote rejects its line alone: the rest of the file still loads', () => {
  const out = join(dataDir, 'demo-comilla');
  assert.equal(clave('demo-data', '--affiliates', '3000', '--out', out).status, 0);
  const lines = readFileSync(join(out, 'afiliados.csv'), 'utf8').split('\n');
  lines[100] = lines[100]!.replace(',', ',"');
  const bad = join(out, 'comilla.csv');
  writeFileSync(bad, lines.join('\n'));
  const result = claveInMemory('import', '--affiliates', bad);
  assert.equal(result.status, 0, result.stderr);
  assert.match(result.stdout, /2999 cargadas, 0 actualizadas, 0 sin cambios, 1 rechazadas/);
  assert.deepEqual(result.stderr.trim().split('\n'), [`${bad}:101: fila CSV mal formada: una comilla abre un campo y nada lo cierra en esta línea`]);
});

test('a file that is not UTF-8 stops its import with the line to look at', () => {
  const windows1252 = join(dataDir, 'excel-ansi.csv');
  const csv = 'cedula,nombres,apellidos,fecha_nacimiento,correo,celular,datos_verificados\r\n0242345676,José,Muñoz,1961-02-11,,,si\r\n';
  writeFileSync(windows1252, Buffer.from(csv, 'latin1'));
  const refused = claveInMemory('import', '--affiliates', windows1252);
  assert.equal(refused.status, 1);
  assert.match(refused.stderr, /^clave: no se pudo importar: el archivo no está en UTF-8 \(línea 2\): guárdelo como CSV UTF-8$/m);
  assert.doesNotMatch(refused.stdout, /cargadas/);
});
