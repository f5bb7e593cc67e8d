import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { csvRows } from '../adapters/registry/csv-rows.ts';
import type { RegistryStore } from '../services/ports.ts';
import { importAffiliates, importEmployment, type ImportOptions, type ImportReport } from '../services/registry-import.ts';
import { progressBar } from './progress.ts';

export interface ImportFiles {
  affiliates?: string;
  employment?: string;
}

type Importer = (store: RegistryStore, rows: AsyncIterable<import('../services/registry-import.ts').CsvRow>, options: ImportOptions) => Promise<ImportReport>;

function summary(label: string, report: ImportReport): string {
  return `${label}: ${report.loaded} cargadas, ${report.updated} actualizadas, ${report.unchanged} sin cambios, ${report.rejected} rechazadas`;
}

async function importFile(store: RegistryStore, label: string, path: string, importer: Importer, today: string): Promise<ImportReport> {
  const { size } = await stat(path);
  const input = createReadStream(path);
  const bar = progressBar(label, input, size);
  try {
    return await importer(store, csvRows(input), {
      today,
      onProblem: (line, reason) => {
        bar.done();
        process.stderr.write(`${path}:${line}: ${reason}\n`);
      },
      onProgress: (report) => bar.update(report),
    });
  } finally {
    bar.done();
  }
}

/**
 * `clave import`: loads the registry files and prints one summary line per file.
 * Returns the exit code: non-zero only when rows were offered and none could be loaded.
 */
export async function runImport(store: RegistryStore, files: ImportFiles, today: string): Promise<number> {
  const reports: ImportReport[] = [];
  if (files.affiliates) {
    const report = await importFile(store, 'afiliados', files.affiliates, importAffiliates, today);
    console.log(summary(`afiliados (${files.affiliates})`, report));
    reports.push(report);
  }
  if (files.employment) {
    const report = await importFile(store, 'empleos', files.employment, importEmployment, today);
    console.log(summary(`empleos (${files.employment})`, report));
    reports.push(report);
  }
  const good = reports.reduce((sum, r) => sum + r.loaded + r.updated + r.unchanged, 0);
  const rejected = reports.reduce((sum, r) => sum + r.rejected, 0);
  return good === 0 && rejected > 0 ? 1 : 0;
}
