import { randomBytes } from 'node:crypto';
import type { Database } from '../../src/adapters/db/database.ts';
import { openPglite } from '../../src/adapters/db/pglite.ts';
import { openPostgres } from '../../src/adapters/db/postgres.ts';

export interface OpenedDatabase {
  db: Database;
  /** Closes the connection and, on PostgreSQL, drops the schema made for the run. */
  dispose(): Promise<void>;
}

export interface Backend {
  name: 'pglite' | 'postgres';
  open(): Promise<OpenedDatabase>;
}

const pglite: Backend = {
  name: 'pglite',
  async open() {
    const db = await openPglite();
    return { db, dispose: () => db.close() };
  },
};

function postgres(url: string): Backend {
  return {
    name: 'postgres',
    async open() {
      const schema = `test_${process.pid}_${randomBytes(4).toString('hex')}`;
      const admin = await openPostgres(url, { poolSize: 1 });
      await admin.exec(`CREATE SCHEMA ${schema}`);
      const db = await openPostgres(url, { searchPath: schema, poolSize: 20 });
      return {
        db,
        async dispose() {
          await db.close();
          await admin.exec(`DROP SCHEMA ${schema} CASCADE`);
          await admin.close();
        },
      };
    },
  };
}

/**
 * PGlite always; PostgreSQL when TEST_DATABASE_URL is set. Under CI the PostgreSQL run
 * is required: a missing database fails the suite instead of skipping it.
 */
export function backends(): Backend[] {
  const url = process.env.TEST_DATABASE_URL;
  if (!url && process.env.CI === 'true') throw new Error('CI=true but TEST_DATABASE_URL is not set: the PostgreSQL contract run is required');
  return url ? [pglite, postgres(url)] : [pglite];
}
