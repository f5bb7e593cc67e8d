import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { csvRows } from '../../../src/adapters/registry/csv-rows.ts';
import type { CsvRow } from '../../../src/services/registry-import.ts';

async function read(chunks: (string | Buffer)[]): Promise<CsvRow[]> {
  const rows: CsvRow[] = [];
  for await (const row of csvRows(Readable.from(chunks))) rows.push(row);
  return rows;
}

const problemLines = (rows: CsvRow[]) => rows.filter((row) => row.problem).map((row) => row.line);

test('an opening quote never closed rejects its line alone; the lines after it are read', async () => {
  const rows = await read(['cedula,nombres\n1,Ana\n2,"Luis\n3,Rosa\n4,"Eva, María"\n']);
  assert.deepEqual(rows.map((row) => row.line), [1, 2, 3, 4, 5]);
  assert.deepEqual(problemLines(rows), [3]);
  assert.match(rows[2]!.problem!, /comilla/);
  assert.deepEqual(rows[3]!.fields, ['3', 'Rosa']);
  assert.deepEqual(rows[4]!.fields, ['4', 'Eva, María']);
});

test('a bad closing quote, or a quote inside an unquoted field, rejects only its line', async () => {
  const rows = await read(['cedula,nombres,apellidos\n1,"Ana"x,Vera\n2,Luis,Loor\n3,Ro"sa,Paz\n4,Eva,Sol\n']);
  assert.deepEqual(problemLines(rows), [2, 4]);
  assert.deepEqual(rows.filter((row) => !row.problem).map((row) => row.fields[1]), ['nombres', 'Luis', 'Eva']);
});

test('quoted fields keep their commas and doubled quotes; CRLF, a BOM and blank lines are fine', async () => {
  const rows = await read(['\uFEFFa,b,c\r\n\r\n"x, y","di ""hola""",\r\n\n', 'z,"",w']);
  assert.deepEqual(rows, [
    { line: 1, fields: ['a', 'b', 'c'] },
    { line: 3, fields: ['x, y', 'di "hola"', ''] },
    { line: 5, fields: ['z', '', 'w'] },
  ]);
});

test('a line cut across chunks, even inside a character, is read whole', async () => {
  const bytes = Buffer.from('a,b\n1,Muñoz\n2,"Peña, Ana"\n');
  const chunks = [...bytes].map((byte) => Buffer.from([byte]));
  const rows = await read(chunks);
  assert.deepEqual(rows.map((row) => row.fields), [['a', 'b'], ['1', 'Muñoz'], ['2', 'Peña, Ana']]);
});

test('a line longer than the limit is rejected alone and memory stays bounded', async () => {
  const huge = 'x'.repeat(200 * 1024);
  const rows = await read(['a,b\n1,', huge.slice(0, 100_000), huge.slice(100_000), '\n2,ok\n3,', huge]);
  assert.deepEqual(rows.map((row) => row.line), [1, 2, 3, 4]);
  assert.deepEqual(problemLines(rows), [2, 4]);
  assert.match(rows[1]!.problem!, /supera/);
  assert.deepEqual(rows[2]!.fields, ['2', 'ok']);
});
