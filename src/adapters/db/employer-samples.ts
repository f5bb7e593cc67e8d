import type { Sql } from './database.ts';

// One row per point, in the points' order: the first employment row at or after the point
// on the ring of sample keys (wrapping round to the lowest), named as the employers table
// names its RUC; '' when there is no employment at all. Scalar subqueries: a few index
// probes per point, never a scan of either table.
const SAMPLES = `
  SELECT COALESCE((SELECT emp.empleador FROM employers emp WHERE emp.ruc_empleador = hit.ruc), '') AS empleador
  FROM unnest($1::bigint[]) WITH ORDINALITY AS draw (point, n)
  CROSS JOIN LATERAL (SELECT COALESCE(
    (SELECT e.ruc_empleador FROM employment e WHERE e.sample_key >= draw.point ORDER BY e.sample_key, e.ruc_empleador LIMIT 1),
    (SELECT e.ruc_empleador FROM employment e ORDER BY e.sample_key, e.ruc_empleador LIMIT 1)) AS ruc) hit
  ORDER BY draw.n`;

/** Employers sampled in proportion to their employment rows, one per point, in one statement. */
export function employerSamples(db: Sql): (points: readonly bigint[]) => Promise<string[]> {
  return async (points) => {
    const rows = await db.query<{ empleador: string }>(SAMPLES, [points.map(String)]);
    return rows.map((row) => row.empleador);
  };
}
