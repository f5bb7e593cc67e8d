import type { AffiliateRecord, EmploymentRecord } from '../../domain/registry.ts';
import type { RegistryStore, UpsertCounts } from '../../services/ports.ts';
import type { Sql } from './database.ts';

// One statement per batch: each column travels as one array parameter and unnest()
// turns them back into rows. Rows identical to what is stored are not touched, and
// `xmax = 0` tells a fresh insert from an update.
const UPSERT_AFFILIATES = `
  INSERT INTO affiliates AS a (cedula, nombres, apellidos, fecha_nacimiento, correo, celular, datos_verificados)
  SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::date[], $5::text[], $6::text[], $7::boolean[])
  ON CONFLICT (cedula) DO UPDATE SET
    nombres = excluded.nombres, apellidos = excluded.apellidos, fecha_nacimiento = excluded.fecha_nacimiento,
    correo = excluded.correo, celular = excluded.celular, datos_verificados = excluded.datos_verificados,
    updated_at = now()
  WHERE (a.nombres, a.apellidos, a.fecha_nacimiento, a.correo, a.celular, a.datos_verificados)
    IS DISTINCT FROM (excluded.nombres, excluded.apellidos, excluded.fecha_nacimiento, excluded.correo, excluded.celular, excluded.datos_verificados)
  RETURNING (xmax = 0) AS inserted`;

// A new row takes its random sample_key (the distractor ring, migration 0008) from the
// column default; an update leaves it alone, so re-importing a file moves no draw.
const UPSERT_EMPLOYMENT = `
  INSERT INTO employment AS e (cedula, ruc_empleador, empleador, fecha_inicio, fecha_fin)
  SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::date[], $5::date[])
  ON CONFLICT (cedula, ruc_empleador, fecha_inicio) DO UPDATE SET
    empleador = excluded.empleador, fecha_fin = excluded.fecha_fin
  WHERE (e.empleador, e.fecha_fin) IS DISTINCT FROM (excluded.empleador, excluded.fecha_fin)
  RETURNING (xmax = 0) AS inserted`;

const UPSERT_EMPLOYERS = `
  INSERT INTO employers AS e (ruc_empleador, empleador)
  SELECT DISTINCT ON (ruc) ruc, name FROM unnest($1::text[], $2::text[]) AS batch (ruc, name) ORDER BY ruc
  ON CONFLICT (ruc_empleador) DO UPDATE SET empleador = excluded.empleador
  WHERE e.empleador IS DISTINCT FROM excluded.empleador`;

function count(rows: { inserted: boolean }[]): UpsertCounts {
  const inserted = rows.filter((row) => row.inserted).length;
  return { inserted, updated: rows.length - inserted };
}

export function createRegistryStore(db: Sql): RegistryStore {
  return {
    async upsertAffiliates(records: readonly AffiliateRecord[]) {
      const rows = await db.query<{ inserted: boolean }>(UPSERT_AFFILIATES, [
        records.map((r) => r.cedula),
        records.map((r) => r.nombres),
        records.map((r) => r.apellidos),
        records.map((r) => r.fechaNacimiento),
        records.map((r) => r.correo),
        records.map((r) => r.celular),
        records.map((r) => r.datosVerificados),
      ]);
      return count(rows);
    },
    async upsertEmployment(records: readonly EmploymentRecord[]) {
      await db.query(UPSERT_EMPLOYERS, [records.map((r) => r.rucEmpleador), records.map((r) => r.empleador)]);
      const rows = await db.query<{ inserted: boolean }>(UPSERT_EMPLOYMENT, [
        records.map((r) => r.cedula),
        records.map((r) => r.rucEmpleador),
        records.map((r) => r.empleador),
        records.map((r) => r.fechaInicio),
        records.map((r) => r.fechaFin),
      ]);
      return count(rows);
    },
    async knownCedulas(cedulas: readonly string[]) {
      const rows = await db.query<{ cedula: string }>('SELECT cedula FROM affiliates WHERE cedula = ANY($1::text[])', [cedulas]);
      return new Set(rows.map((row) => row.cedula));
    },
    async countAffiliates() {
      const [row] = await db.query<{ total: number }>('SELECT count(*) AS total FROM affiliates');
      return row?.total ?? 0;
    },
  };
}
