import type { RegistrySample } from '../../domain/kba-draws.ts';

// One row per point, numbered in the points' order: the first employment row at or after
// the point on the ring of sample keys (wrapping round to the lowest), named as the
// employers table names its RUC, with its dates (decoys take their jobs from these rows);
// no row when there is no employment at all. The second branch runs only when the first
// finds nothing: a few index probes per point, never a scan of either table.
const samplesOf = (points: string) => `
  SELECT draw.n, hit.ruc, COALESCE((SELECT emp.empleador FROM employers emp WHERE emp.ruc_empleador = hit.ruc), '') AS empleador,
    to_char(hit.fecha_inicio, 'YYYY-MM-DD') AS fecha_inicio, to_char(hit.fecha_fin, 'YYYY-MM-DD') AS fecha_fin
  FROM unnest(${points}::bigint[]) WITH ORDINALITY AS draw (point, n)
  LEFT JOIN LATERAL (
    (SELECT e.ruc_empleador AS ruc, e.fecha_inicio, e.fecha_fin FROM employment e WHERE e.sample_key >= draw.point ORDER BY e.sample_key, e.ruc_empleador LIMIT 1)
    UNION ALL
    (SELECT e.ruc_empleador, e.fecha_inicio, e.fecha_fin FROM employment e ORDER BY e.sample_key, e.ruc_empleador LIMIT 1)
    LIMIT 1) hit ON true`;

export interface SampleRow {
  ruc: string | null;
  empleador: string;
  fecha_inicio: string | null;
  fecha_fin: string | null;
}

/** The samples at the points in `points` (an SQL expression), as one JSON array in their order, for a column of a larger statement. */
export const samplesColumn = (points: string) =>
  `(SELECT json_agg(json_build_object('ruc', x.ruc, 'empleador', x.empleador, 'fecha_inicio', x.fecha_inicio, 'fecha_fin', x.fecha_fin) ORDER BY x.n) FROM (${samplesOf(points)}) x)`;

export const toSamples = (rows: readonly SampleRow[] | null): RegistrySample[] =>
  (rows ?? []).map((row) => (row.ruc === null || row.fecha_inicio === null ? null : { rucEmpleador: row.ruc, empleador: row.empleador, fechaInicio: row.fecha_inicio, fechaFin: row.fecha_fin }));
