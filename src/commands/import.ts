import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { csvRows, type LinesRead } from '../adapters/registry/csv-rows.ts';
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

/** Every data line must land in exactly one count: a row dropped unseen is an affiliate missing without a word. */
function checkEveryLineCounted(path: string, report: ImportReport, dataLines: number): void {
  const counted = report.loaded + report.updated + report.unchanged + report.rejected;
  if (counted !== dataLines) throw new Error(`${path}: la importación dio cuenta de ${counted} filas y el archivo tiene ${dataLines} líneas de datos; no confíe en este resultado`);
}

async function importFile(store: RegistryStore, label: string, path: string, importer: Importer, today: string): Promise<ImportReport> {
  const { size } = await stat(path);
  const input = createReadStream(path);
  const bar = progressBar(label, input, size);
  const read: LinesRead = { nonEmpty: 0 };
  try {
    const report = await importer(store, csvRows(input, read), {
      today,
      onProblem: (line, reason) => {
        bar.done();
        process.stderr.write(`${path}:${line}: ${reason}\n`);
      },
      onProgress: (report) => bar.update(report),
    });
    checkEveryLineCounted(path, report, read.nonEmpty - 1);
    return report;
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
