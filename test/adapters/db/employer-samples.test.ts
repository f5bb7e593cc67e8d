import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { backends, type OpenedDatabase } from '../../support/backends.ts';
import { loadMigrations, migrate } from '../../../src/adapters/db/migrate.ts';
import { randomBytes } from 'node:crypto';
import { registryReader } from '../../../src/adapters/db/registry-reader.ts';
import { createRegistryStore } from '../../../src/adapters/db/registry-store.ts';
import type { Database } from '../../../src/adapters/db/database.ts';
import type { EmploymentRecord } from '../../../src/domain/registry.ts';

/** The sample ring distractors and decoys are drawn from: its keys, its lookups, and how imports keep it. */

const RING = 2n ** 63n;
const person = (cedula: string) => ({ cedula, nombres: 'Ana', apellidos: 'Prueba', fechaNacimiento: '1980-05-05', correo: null, celular: null, datosVerificados: true });
const job = (cedula: string, ruc: string, empleador: string, fechaInicio = '2001-03-01'): EmploymentRecord => ({ cedula, rucEmpleador: ruc, empleador, fechaInicio, fechaFin: null });
const CEDULAS = ['1710034065', '0926687856'];

async function keys(db: Database): Promise<Map<string, bigint>> {
  const rows = await db.query<{ ruc_empleador: string; cedula: string; sample_key: string }>('SELECT cedula, ruc_empleador, sample_key::text FROM employment');
  return new Map(rows.map((row) => [`${row.cedula}/${row.ruc_empleador}`, BigInt(row.sample_key)]));
}

for (const backend of backends()) {
  describe(`employer samples on ${backend.name}`, () => {
    let opened: OpenedDatabase;
    before(async () => {
      opened = await backend.open();
    });
    after(async () => opened.dispose());

    test('the migration gives rows already there distinct keys on the ring', async () => {
      const migrations = await loadMigrations();
      const earlier = migrations.filter((m) => m.version < '0008');
      await opened.db.exec('CREATE TABLE schema_migrations (version text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())');
      for (const m of earlier) {
        await opened.db.exec(m.sql);
        await opened.db.query('INSERT INTO schema_migrations (version) VALUES ($1)', [m.version]);
      }
      await opened.db.exec(`INSERT INTO affiliates (cedula, nombres, apellidos, fecha_nacimiento, datos_verificados) VALUES ('${CEDULAS[0]}', 'A', 'B', '1980-01-01', true)`);
      await opened.db.exec(`INSERT INTO employment (cedula, ruc_empleador, empleador, fecha_inicio)
        SELECT '${CEDULAS[0]}', lpad(i::text, 13, '0'), 'Empresa ' || i, '2001-01-01' FROM generate_series(1, 200) i`);
      assert.deepEqual(await migrate(opened.db), migrations.filter((m) => m.version >= '0008').map((m) => m.version));
      const found = [...(await keys(opened.db)).values()];
      assert.equal(found.length, 200);
      assert.equal(new Set(found).size, 200);
      for (const key of found) assert.ok(key >= 0n && key < RING);
      // Spread over the ring, not bunched: each half holds a fair share.
      const low = found.filter((key) => key < RING / 2n).length;
      assert.ok(low > 60 && low < 140, `${low} of 200 in the lower half`);
      await opened.db.exec('DELETE FROM employment; DELETE FROM employers; DELETE FROM affiliates');
    });

    test('a point draws the row at or after it, wrapping round, named as the employers table names it, with its dates', async () => {
      const registry = createRegistryStore(opened.db);
      // The draws as a flow's start reads them, beside a cédula's identity, with a CAPTCHA not used before.
      const sample = async (points: bigint[]) => (await registryReader(opened.db).identity(CEDULAS[0]!, points, randomBytes(32)))!.samples;
      assert.deepEqual(await sample([0n, RING - 1n]), [null, null], 'no employment: nothing to draw');
      await registry.upsertAffiliates(CEDULAS.map(person));
      await registry.upsertEmployment([job(CEDULAS[0]!, '0000000001001', 'Alfa S.A.'), job(CEDULAS[1]!, '0000000002001', 'Beta S.A.')]);
      await registry.upsertEmployment([job(CEDULAS[1]!, '0000000001001', 'ALFA SOCIEDAD ANONIMA', '2010-01-01')]);
      await opened.db.query(`UPDATE employment SET sample_key = CASE ruc_empleador WHEN '0000000002001' THEN 1000 ELSE sample_key END`);
      await opened.db.query(`UPDATE employment SET sample_key = CASE fecha_inicio WHEN '2001-03-01' THEN 10 ELSE 5000 END WHERE ruc_empleador = '0000000001001'`);
      // The later import renamed RUC 0000000001001 in employers; the first row still says "Alfa S.A.".
      const alfa = 'ALFA SOCIEDAD ANONIMA';
      const points = [0n, 10n, 11n, 1000n, 1001n, 5000n, 5001n, RING - 1n];
      const drawn = await sample(points);
      assert.deepEqual(drawn.map((row) => row?.empleador), [alfa, alfa, 'Beta S.A.', 'Beta S.A.', alfa, alfa, alfa, alfa]);
      // Decoys take their jobs from these rows, so each comes with its own dates.
      assert.deepEqual(drawn.map((row) => row?.fechaInicio), ['2001-03-01', '2001-03-01', '2001-03-01', '2001-03-01', '2010-01-01', '2010-01-01', '2001-03-01', '2001-03-01']);
      assert.deepEqual(drawn[0], { rucEmpleador: '0000000001001', empleador: alfa, fechaInicio: '2001-03-01', fechaFin: null });
      await opened.db.query(`UPDATE employment SET fecha_fin = '2004-12-31' WHERE sample_key = 10`);
      assert.equal((await sample([10n]))[0]?.fechaFin, '2004-12-31');
    });

    test('imports keep every row its key, and give new rows keys of their own', async () => {
      const registry = createRegistryStore(opened.db);
      const before = await keys(opened.db);
      const again = [job(CEDULAS[0]!, '0000000001001', 'Alfa S.A.'), job(CEDULAS[1]!, '0000000002001', 'Beta S.A.')];
      await registry.upsertEmployment(again);
      await registry.upsertEmployment([{ ...again[1]!, fechaFin: '2020-12-31' }, job(CEDULAS[0]!, '0000000003001', 'Gamma S.A.')]);
      const after = await keys(opened.db);
      for (const [row, key] of before) assert.equal(after.get(row), key, row);
      assert.equal(after.size, before.size + 1);
    });
  });
}
