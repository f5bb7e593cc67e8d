import type { Sql } from './database.ts';

const POOL_SIZE = 2000;

/**
 * The employer names distractors are drawn from, cached for a few minutes: it changes
 * only when the registry is imported, and every identity page needs it.
 */
export function createEmployerPool(db: Sql, ttlMs: number): () => Promise<string[]> {
  let cached: { names: string[]; until: number } | undefined;
  return async () => {
    if (cached && cached.until > Date.now()) return cached.names;
    const rows = await db.query<{ empleador: string }>('SELECT empleador FROM employers ORDER BY ruc_empleador LIMIT $1', [POOL_SIZE]);
    cached = { names: rows.map((row) => row.empleador), until: Date.now() + ttlMs };
    return cached.names;
  };
}
