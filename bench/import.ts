// Registry import throughput: 100,000 generated affiliates (~3 employers each) into
// PostgreSQL and into PGlite, against the speed of reading and validating the same
// files without any database (the ceiling of the import), measured in the same run.
import { createReadStream } from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { writeDemoData } from '../src/commands/demo-data.ts';
import { csvRows } from '../src/adapters/registry/csv-rows.ts';
import { migrate } from '../src/adapters/db/migrate.ts';
import { openPglite } from '../src/adapters/db/pglite.ts';
import { openPostgres } from '../src/adapters/db/postgres.ts';
import { createRegistryStore } from '../src/adapters/db/registry-store.ts';
import type { Database } from '../src/adapters/db/database.ts';
import type { RegistryStore } from '../src/services/ports.ts';
import { importAffiliates, importEmployment } from '../src/services/registry-import.ts';

const AFFILIATES = Number(process.env.BENCH_AFFILIATES ?? 100_000);
const POSTGRES_URL = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const today = new Date().toISOString().slice(0, 10);

interface Run {
  affiliates: { rows: number; seconds: number };
  employment: { rows: number; seconds: number };
}

async function timed(work: () => Promise<number>): Promise<{ rows: number; seconds: number }> {
  const start = process.hrtime.bigint();
  const rows = await work();
  return { rows, seconds: Number(process.hrtime.bigint() - start) / 1e9 };
}

/** Counts valid rows without storing them: the reader's and validator's own speed. */
const nullStore: RegistryStore = {
  upsertAffiliates: async (records) => ({ inserted: records.length, updated: 0 }),
  upsertEmployment: async (records) => ({ inserted: records.length, updated: 0 }),
  knownCedulas: async (cedulas) => new Set(cedulas),
  countAffiliates: async () => 0,
};

async function importInto(store: RegistryStore, files: { affiliates: string; employment: string }): Promise<Run> {
  const affiliates = await timed(async () => (await importAffiliates(store, csvRows(createReadStream(files.affiliates)), { today })).loaded);
  const employment = await timed(async () => (await importEmployment(store, csvRows(createReadStream(files.employment)), { today })).loaded);
  return { affiliates, employment };
}

async function onDatabase(db: Database, files: { affiliates: string; employment: string }): Promise<Run> {
  await migrate(db);
  return importInto(createRegistryStore(db), files);
}

const rate = (part: { rows: number; seconds: number }) => part.rows / part.seconds;

function line(name: string, run: Run, baseline: Run): string {
  const a = rate(run.affiliates);
  const e = rate(run.employment);
  return `${name.padEnd(28)} affiliates ${a.toFixed(0).padStart(8)} rows/s (${(a / rate(baseline.affiliates)).toFixed(2)} of baseline)   employment ${e.toFixed(0).padStart(8)} rows/s (${(e / rate(baseline.employment)).toFixed(2)} of baseline)`;
}

export async function benchImport(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'clave-bench-import-'));
  try {
    const files = await writeDemoData(AFFILIATES, dir);
    const baseline = await importInto(nullStore, files);
    console.log(`\n== registry import: ${AFFILIATES} affiliates, ${baseline.employment.rows} employment rows ==`);
    console.log(line('baseline: read + validate', baseline, baseline));

    const schema = `bench_${randomBytes(4).toString('hex')}`;
    const admin = await openPostgres(POSTGRES_URL, { poolSize: 1 });
    await admin.exec(`CREATE SCHEMA ${schema}`);
    const postgres = await openPostgres(POSTGRES_URL, { searchPath: schema });
    try {
      console.log(line('PostgreSQL', await onDatabase(postgres, files), baseline));
    } finally {
      await postgres.close();
      await admin.exec(`DROP SCHEMA ${schema} CASCADE`);
      await admin.close();
    }

    const pglite = await openPglite(join(dir, 'pglite'));
    try {
      console.log(line('PGlite (file)', await onDatabase(pglite, files), baseline));
    } finally {
      await pglite.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
