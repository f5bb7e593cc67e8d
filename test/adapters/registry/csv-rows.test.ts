import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { csvRows } from '../../../src/adapters/registry/csv-rows.ts';
import { ImportFileError, type CsvRow } from '../../../src/services/registry-import.ts';

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

test('a file in Windows-1252 stops at the first line that is not UTF-8, naming it', async () => {
  const latin1 = Buffer.from('cedula,apellidos\n1,Vera\n2,Muñoz\n3,Peña\n', 'latin1');
  await assert.rejects(read([latin1]), (error: Error) => {
    assert.ok(error instanceof ImportFileError);
    assert.equal(error.message, 'el archivo no está en UTF-8 (línea 3): guárdelo como CSV UTF-8');
    return true;
  });
});

test('a character cut off at the end of the file is not UTF-8 either', async () => {
  const cut = Buffer.from('cedula,apellidos\n1,Muñoz').subarray(0, -3);
  assert.equal(cut.at(-1), 0xc3, 'the first byte of ñ, without its second');
  await assert.rejects(read([cut]), /línea 2/);
});

test('an Excel "CSV UTF-8" file (BOM, CRLF) is read whole', async () => {
  const excel = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('cedula,apellidos\r\n1,Muñoz\r\n')]);
  const rows = await read([excel.subarray(0, 2), excel.subarray(2)]);
  assert.deepEqual(rows, [{ line: 1, fields: ['cedula', 'apellidos'] }, { line: 2, fields: ['1', 'Muñoz'] }]);
});
