import {
  AFFILIATE_COLUMNS,
  EMPLOYMENT_COLUMNS,
  parseAffiliateRow,
  parseEmploymentRow,
  type AffiliateRecord,
  type EmploymentRecord,
  type RowResult,
} from '../domain/registry.ts';
import type { RegistryStore, UpsertCounts } from './ports.ts';

/** One parsed CSV record and the line of the file it starts on. */
export interface CsvRow {
  line: number;
  fields: string[];
  /** Set when the reader could not make a row out of this line. */
  problem?: string;
}

export interface ImportReport {
  loaded: number;
  updated: number;
  unchanged: number;
  rejected: number;
}

export interface ImportOptions {
  /** `YYYY-MM-DD`; dates after it are rejected. */
  today: string;
  batchSize?: number;
  onProblem?: (line: number, reason: string) => void;
  onProgress?: (report: ImportReport) => void;
}

/** The file itself is unusable (no header, missing columns): nothing was read from it. */
export class ImportFileError extends Error {}

interface Pending<T> {
  line: number;
  record: T;
}

interface RowKind<T> {
  columns: readonly string[];
  parse(fields: Record<string, string>, today: string): RowResult<T>;
  key(record: T): string;
  /** Stores a batch; returns the lines it refused with their reasons. */
  store(batch: Pending<T>[]): Promise<UpsertCounts & { refused: { line: number; reason: string }[] }>;
}

function headerIndex(header: string[], columns: readonly string[]): Map<string, number> {
  const names = header.map((name) => name.trim().toLowerCase());
  const missing = columns.filter((column) => !names.includes(column));
  if (missing.length > 0) throw new ImportFileError(`faltan columnas en la cabecera: ${missing.join(', ')}`);
  return new Map(columns.map((column) => [column, names.indexOf(column)]));
}

function named(fields: string[], index: Map<string, number>): Record<string, string> {
  const record: Record<string, string> = {};
  for (const [column, position] of index) record[column] = (fields[position] ?? '').trim();
  return record;
}

/** Streams rows into the store in batches: memory stays flat whatever the file size. */
async function importRows<T>(rows: AsyncIterable<CsvRow>, kind: RowKind<T>, options: ImportOptions): Promise<ImportReport> {
  const report: ImportReport = { loaded: 0, updated: 0, unchanged: 0, rejected: 0 };
  const batchSize = options.batchSize ?? 2000;
  let index: Map<string, number> | undefined;
  let columnCount = 0;
  let batch: Pending<T>[] = [];
  const keys = new Set<string>();
  const reject = (line: number, reason: string) => {
    report.rejected++;
    options.onProblem?.(line, reason);
  };
  const flush = async () => {
    if (batch.length === 0) return;
    const result = await kind.store(batch);
    for (const { line, reason } of result.refused) reject(line, reason);
    report.loaded += result.inserted;
    report.updated += result.updated;
    report.unchanged += batch.length - result.refused.length - result.inserted - result.updated;
    batch = [];
    keys.clear();
    options.onProgress?.({ ...report });
  };
  for await (const row of rows) {
    if (row.problem) {
      reject(row.line, row.problem);
      continue;
    }
    if (!index) {
      index = headerIndex(row.fields, kind.columns);
      columnCount = row.fields.length;
      continue;
    }
    if (row.fields.length !== columnCount) {
      reject(row.line, `se esperaban ${columnCount} columnas y hay ${row.fields.length}`);
      continue;
    }
    const parsed = kind.parse(named(row.fields, index), options.today);
    if (!parsed.ok) {
      reject(row.line, parsed.reason);
      continue;
    }
    // A key twice in one batch cannot be upserted by one statement: store the first one now.
    const key = kind.key(parsed.record);
    if (keys.has(key)) await flush();
    keys.add(key);
    batch.push({ line: row.line, record: parsed.record });
    if (batch.length >= batchSize) await flush();
  }
  if (!index) throw new ImportFileError('el archivo está vacío: falta la cabecera');
  await flush();
  return report;
}

export function importAffiliates(store: RegistryStore, rows: AsyncIterable<CsvRow>, options: ImportOptions): Promise<ImportReport> {
  return importRows<AffiliateRecord>(rows, {
    columns: AFFILIATE_COLUMNS,
    parse: parseAffiliateRow,
    key: (record) => record.cedula,
    async store(batch) {
      const counts = await store.upsertAffiliates(batch.map((pending) => pending.record));
      return { ...counts, refused: [] };
    },
  }, options);
}

export function importEmployment(store: RegistryStore, rows: AsyncIterable<CsvRow>, options: ImportOptions): Promise<ImportReport> {
  return importRows<EmploymentRecord>(rows, {
    columns: EMPLOYMENT_COLUMNS,
    parse: parseEmploymentRow,
    key: (record) => `${record.cedula}|${record.rucEmpleador}|${record.fechaInicio}`,
    async store(batch) {
      const known = await store.knownCedulas([...new Set(batch.map((pending) => pending.record.cedula))]);
      const accepted = batch.filter((pending) => known.has(pending.record.cedula));
      const refused = batch
        .filter((pending) => !known.has(pending.record.cedula))
        .map((pending) => ({ line: pending.line, reason: 'la cédula no está en el registro de afiliados' }));
      const counts = accepted.length > 0 ? await store.upsertEmployment(accepted.map((pending) => pending.record)) : { inserted: 0, updated: 0 };
      return { ...counts, refused };
    },
  }, options);
}
