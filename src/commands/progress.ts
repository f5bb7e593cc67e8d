import type { Readable } from 'node:stream';
import type { ImportReport } from '../services/registry-import.ts';

/** A progress bar on a terminal (stderr), nothing when output goes to a file or a pipe. */
export function progressBar(label: string, input: Readable, totalBytes: number, out: NodeJS.WriteStream = process.stderr) {
  let readBytes = 0;
  let lastDraw = 0;
  input.on('data', (chunk: Buffer) => {
    readBytes += chunk.length;
  });
  return {
    update(report: ImportReport) {
      if (!out.isTTY || Date.now() - lastDraw < 100) return;
      lastDraw = Date.now();
      const share = totalBytes > 0 ? Math.min(1, readBytes / totalBytes) : 0;
      const width = 30;
      const filled = Math.round(share * width);
      const rows = report.loaded + report.updated + report.unchanged + report.rejected;
      out.write(`\r${label} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${(share * 100).toFixed(0).padStart(3)}%  ${rows} filas`);
    },
    done() {
      if (out.isTTY) out.write('\r\x1b[2K');
    },
  };
}
