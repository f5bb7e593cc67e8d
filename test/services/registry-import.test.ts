import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { backends, type OpenedDatabase } from '../support/backends.ts';
import { migrate } from '../../src/adapters/db/migrate.ts';
import { createRegistryStore } from '../../src/adapters/db/registry-store.ts';
import { csvRows } from '../../src/adapters/registry/csv-rows.ts';
import { importAffiliates, importEmployment, ImportFileError } from '../../src/services/registry-import.ts';

const fixture = (name: string) => createReadStream(new URL(`../fixtures/${name}`, import.meta.url));
const fromText = (text: string) => csvRows(Readable.from([text]));
const TODAY = '2026-11-24';

function collector() {
  const problems: { line: number; reason: string }[] = [];
  return { problems, options: { today: TODAY, onProblem: (line: number, reason: string) => problems.push({ line, reason }) } };
}

for (const backend of backends()) {
  describe(`registry import on ${backend.name}`, () => {
    let opened: OpenedDatabase;
    before(async () => {
      opened = await backend.open();
      await migrate(opened.db);
    });
    after(async () => opened.dispose());

    test('10 good rows load, 3 bad rows are reported with their lines and reasons', async () => {
      const store = createRegistryStore(opened.db);
      const { problems, options } = collector();
      const report = await importAffiliates(store, csvRows(fixture('afiliados-10-buenos-3-malos.csv')), options);
      assert.deepEqual(report, { loaded: 10, updated: 0, unchanged: 0, rejected: 3 });
      assert.deepEqual(problems.map((p) => p.line), [5, 10, 14]);
      assert.match(problems[0]!.reason, /dígito verificador/);
      assert.match(problems[1]!.reason, /fecha_nacimiento/);
      assert.match(problems[2]!.reason, /datos_verificados/);
    });

    test('a second run changes nothing', async () => {
      const store = createRegistryStore(opened.db);
      const { options } = collector();
      const report = await importAffiliates(store, csvRows(fixture('afiliados-10-buenos-3-malos.csv')), options);
      assert.deepEqual(report, { loaded: 0, updated: 0, unchanged: 10, rejected: 3 });
      assert.equal(await store.countAffiliates(), 10);
    });

    test('employment: unknown cédulas and bad periods are rejected, quoted commas kept', async () => {
      const store = createRegistryStore(opened.db);
      const { problems, options } = collector();
      const report = await importEmployment(store, csvRows(fixture('empleos-5-buenos-2-malos.csv')), options);
      assert.deepEqual(report, { loaded: 5, updated: 0, unchanged: 0, rejected: 2 });
      assert.deepEqual(problems, [
        { line: 6, reason: 'fecha_fin es anterior a fecha_inicio' },
        { line: 5, reason: 'la cédula no está en el registro de afiliados' },
      ]);
      const names = await opened.db.query<{ empleador: string }>("SELECT DISTINCT empleador FROM employment WHERE ruc_empleador = '0990054321001'");
      assert.deepEqual(names, [{ empleador: 'Distribuidora del Pacífico, Cía. Ltda.' }]);
    });

    test('a changed row counts as updated', async () => {
      const store = createRegistryStore(opened.db);
      const csv = 'cedula,nombres,apellidos,fecha_nacimiento,correo,celular,datos_verificados\n0130000003,Ana María,Quishpe Toapanta,1960-01-10,ana.nueva@correo.example,,si\n';
      assert.deepEqual(await importAffiliates(store, fromText(csv), { today: TODAY }), { loaded: 0, updated: 1, unchanged: 0, rejected: 0 });
    });

    test('the same cédula twice in one file: the later row wins', async () => {
      const store = createRegistryStore(opened.db);
      const header = 'cedula,nombres,apellidos,fecha_nacimiento,correo,celular,datos_verificados\n';
      const csv = `${header}1714307103,Primera,Versión,1970-01-01,,,si\n1714307103,Segunda,Versión,1970-01-01,,,si\n`;
      const report = await importAffiliates(store, fromText(csv), { today: TODAY });
      assert.deepEqual(report, { loaded: 1, updated: 1, unchanged: 0, rejected: 0 });
      const [row] = await opened.db.query<{ nombres: string }>("SELECT nombres FROM affiliates WHERE cedula = '1714307103'");
      assert.equal(row?.nombres, 'Segunda');
    });

    test('columns may come in any order; a broken quote or wrong column count rejects only its row', async () => {
      const store = createRegistryStore(opened.db);
      const { problems, options } = collector();
      const csv = [
        'datos_verificados,cedula,apellidos,nombres,fecha_nacimiento,celular,correo',
        'si,1713175071,Orden,Distinto,1971-07-07,,',
        'si,1710034065,"Comilla,Rota,1970-01-01,,',
        'si,0910005917,Pocas,Columnas',
      ].join('\n');
      const report = await importAffiliates(store, fromText(csv), options);
      assert.equal(report.loaded, 1);
      assert.equal(report.rejected, problems.length);
      assert.ok(report.rejected >= 1);
    });

    test('a stray quote rejects only its own line, and every non-empty data line is counted once', async () => {
      const store = createRegistryStore(opened.db);
      const { problems, options } = collector();
      const { cedulaCheckDigit } = await import('../../src/domain/cedula.ts');
      const lines = Array.from({ length: 40 }, (_, i) => {
        const nine = `24${String(i).padStart(7, '0')}`;
        return `${nine}${cedulaCheckDigit(nine)},Persona ${i},Comillas,1990-01-01,,,si`;
      });
      lines[4] = lines[4]!.replace(',Persona', ',"Persona');
      lines[11] = lines[11]!.replace(/Persona (\d+)/, '"Persona $1"x');
      lines[20] = '';
      lines[30] = lines[30]!.replace(',Comillas', ',Comi"llas');
      const csv = `cedula,nombres,apellidos,fecha_nacimiento,correo,celular,datos_verificados\r\n${lines.join('\r\n')}\r\n`;
      const report = await importAffiliates(store, fromText(csv), { ...options, batchSize: 7 });
      assert.deepEqual(problems.map((p) => p.line), [6, 13, 32]);
      assert.deepEqual(report, { loaded: 36, updated: 0, unchanged: 0, rejected: 3 });
      const dataLines = csv.split('\n').slice(1).filter((line) => line.replace(/\r$/, '') !== '').length;
      assert.equal(report.loaded + report.updated + report.unchanged + report.rejected, dataLines);
    });

    test('hostile values are rejected with a reason, never loaded', async () => {
      const store = createRegistryStore(opened.db);
      const { problems, options } = collector();
      const header = 'cedula,nombres,apellidos,fecha_nacimiento,correo,celular,datos_verificados\n';
      const rows = [
        "0602910945,Robert'); DROP TABLE affiliates;--,X,1970-01-01,,,si",
        `0602910945,${'A'.repeat(500)},X,1970-01-01,,,si`,
        '0602910945,Nombre\u0007,X,1970-01-01,,,si',
        '0602910945,Ana,X,2999-01-01,,,si',
        '0602910945,Ana,X,1970-01-01,no-es-correo,,si',
        '0602910945,Ana,X,1970-01-01,,12345,si',
        '060291094５,Ana,X,1970-01-01,,,si',
      ];
      const report = await importAffiliates(store, fromText(header + rows.join('\n')), options);
      assert.equal(report.loaded, 1, 'the SQL-looking name is just a name');
      assert.equal(report.rejected, 6);
      assert.equal(problems.length, 6);
      const [row] = await opened.db.query<{ nombres: string }>("SELECT nombres FROM affiliates WHERE cedula = '0602910945'");
      assert.equal(row?.nombres, "Robert'); DROP TABLE affiliates;--");
    });

    test('a file without the expected header is refused as a whole', async () => {
      const store = createRegistryStore(opened.db);
      await assert.rejects(importAffiliates(store, fromText('cedula,nombre\n1710034065,Ana\n'), { today: TODAY }), ImportFileError);
      await assert.rejects(importAffiliates(store, fromText(''), { today: TODAY }), ImportFileError);
    });

    test('large imports go in batches', async () => {
      const store = createRegistryStore(opened.db);
      const header = 'cedula,nombres,apellidos,fecha_nacimiento,correo,celular,datos_verificados\n';
      const { cedulaCheckDigit } = await import('../../src/domain/cedula.ts');
      const lines = Array.from({ length: 2500 }, (_, i) => {
        const nine = `23${String(i).padStart(7, '0')}`;
        return `${nine}${cedulaCheckDigit(nine)},Persona ${i},Prueba,1990-01-01,p${i}@correo.example,,si`;
      });
      let progressCalls = 0;
      const report = await importAffiliates(store, fromText(header + lines.join('\n')), { today: TODAY, batchSize: 1000, onProgress: () => progressCalls++ });
      assert.deepEqual(report, { loaded: 2500, updated: 0, unchanged: 0, rejected: 0 });
      assert.equal(progressCalls, 3);
    });
  });
}
