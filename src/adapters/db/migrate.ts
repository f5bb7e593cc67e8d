import { readdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Database, Sql } from './database.ts';

const migrationsDir = join(dirname(fileURLToPath(import.meta.url)), 'migrations');

/** Arbitrary constant: every instance migrating the same database takes the same lock. */
const MIGRATION_LOCK = 4_215_020_001;

export interface Migration {
  version: string;
  sql: string;
}

let shipped: Promise<Migration[]> | undefined;

/** The migrations shipped with this build, read once. */
export function loadMigrations(): Promise<Migration[]> {
  shipped ??= readMigrations();
  return shipped;
}

async function readMigrations(): Promise<Migration[]> {
  const files = (await readdir(migrationsDir)).filter((name) => /^\d{4}_.+\.sql$/.test(name)).sort();
  return Promise.all(
    files.map(async (name) => ({ version: name.replace(/\.sql$/, ''), sql: await readFile(join(migrationsDir, name), 'utf8') })),
  );
}

async function appliedVersions(tx: Sql): Promise<Set<string>> {
  const rows = await tx.query<{ version: string }>('SELECT version FROM schema_migrations');
  return new Set(rows.map((row) => row.version));
}

/**
 * Applies pending migrations in one transaction under an advisory lock, so instances
 * starting together wait for each other instead of racing. Returns what it applied.
 */
export async function migrate(db: Database): Promise<string[]> {
  const migrations = await loadMigrations();
  return db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await tx.exec(
      'CREATE TABLE IF NOT EXISTS schema_migrations (version text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())',
    );
    const applied = await appliedVersions(tx);
    const pending = migrations.filter((migration) => !applied.has(migration.version));
    for (const migration of pending) {
      await tx.exec(migration.sql);
      await tx.query('INSERT INTO schema_migrations (version) VALUES ($1)', [migration.version]);
    }
    return pending.map((migration) => migration.version);
  });
}

/** True when every migration shipped with this build has been applied; throws when the database does not answer. */
export async function isFullyMigrated(db: Sql): Promise<boolean> {
  const migrations = await loadMigrations();
  const rows = await db.query<{ version: string }>('SELECT version FROM schema_migrations');
  const applied = new Set(rows.map((row) => row.version));
  return migrations.every((migration) => applied.has(migration.version));
}
