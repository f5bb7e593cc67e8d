import { isWholeLayout, type DummyLayout, type SettingsShare } from '../../domain/dummy-layout.ts';
import type { DummyLayoutStore, StoredLayout } from '../../services/account/login-ports.ts';
import type { Database, Sql } from './database.ts';

interface LayoutRow {
  settings: string[];
  buckets: Uint8Array;
  fresh: boolean;
}

/** Held by the database itself, whatever the client's own timeout. */
const COUNT_TIMEOUT = '60s';

/** The stored layout, unless there is none or it is not whole (then it is made afresh); fresh by the database's clock. */
async function stored(sql: Sql, freshForMs: number): Promise<StoredLayout | undefined> {
  const [row] = await sql.query<LayoutRow>(
    "SELECT settings, buckets, counted_at > now() - $1 * interval '1 millisecond' AS fresh FROM dummy_hash_layout WHERE id = 1",
    [freshForMs],
  );
  const layout = row && { settings: row.settings, buckets: new Uint8Array(row.buckets) };
  return layout && isWholeLayout(layout) ? { layout, fresh: row.fresh } : undefined;
}

/** How many stored claves have each argon2id settings: the PHC prefix of every hash. Reads every account. */
function countSettings(sql: Sql): Promise<SettingsShare[]> {
  // '$argon2id$v=19$m=19456,t=2,p=1' of '$argon2id$v=19$m=19456,t=2,p=1$salt$hash'.
  return sql.query<SettingsShare>(
    `SELECT settings, count(*)::int AS accounts
     FROM (SELECT '$' || split_part(password_hash, '$', 2) || '$' || split_part(password_hash, '$', 3) || '$' || split_part(password_hash, '$', 4) AS settings
           FROM accounts WHERE password_hash LIKE '$argon2%') AS claves
     GROUP BY settings`,
  );
}

export function dummyLayoutStore(db: Database): DummyLayoutStore {
  return {
    read: (freshForMs) => stored(db, freshForMs),
    recount(freshForMs, next) {
      return db.transaction(async (tx) => {
        await tx.query(`SET LOCAL statement_timeout = '${COUNT_TIMEOUT}'`);
        await tx.query(`SET LOCAL lock_timeout = '${COUNT_TIMEOUT}'`);
        // One instance counts at a time, the first layout included (no row to lock yet), so
        // each layout follows from the one before it; the others find it fresh and use it.
        await tx.query('LOCK TABLE dummy_hash_layout IN SHARE ROW EXCLUSIVE MODE');
        const previous = await stored(tx, freshForMs);
        if (previous?.fresh) return previous.layout;
        const layout: DummyLayout = next(previous?.layout, await countSettings(tx));
        await tx.query(
          `INSERT INTO dummy_hash_layout (id, settings, buckets, counted_at) VALUES (1, $1, $2, now())
           ON CONFLICT (id) DO UPDATE SET settings = EXCLUDED.settings, buckets = EXCLUDED.buckets, counted_at = EXCLUDED.counted_at`,
          [layout.settings, Buffer.from(layout.buckets)],
        );
        return layout;
      });
    },
  };
}
