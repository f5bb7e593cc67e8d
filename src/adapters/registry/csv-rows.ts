import { parse, type CsvError } from 'csv-parse';
import type { Readable } from 'node:stream';
import type { CsvRow } from '../../services/registry-import.ts';

const MAX_RECORD_BYTES = 64 * 1024;

/**
 * Reads CSV (RFC 4180, UTF-8, optional BOM) as a stream of rows with their line numbers.
 * A malformed row (a stray quote, an oversized field) is reported as a row with a
 * problem instead of ending the whole import.
 */
export async function* csvRows(input: Readable): AsyncGenerator<CsvRow> {
  const skipped: CsvRow[] = [];
  const parser = input.pipe(
    parse({
      bom: true,
      info: true,
      skip_empty_lines: true,
      relax_column_count: true,
      max_record_size: MAX_RECORD_BYTES,
      skip_records_with_error: true,
      on_skip: (error: CsvError | undefined) => {
        skipped.push({ line: (error as { lines?: number } | undefined)?.lines ?? 0, fields: [], problem: 'fila CSV mal formada (comillas o tamaño)' });
        return undefined;
      },
    }),
  );
  for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
    yield* skipped.splice(0);
    yield { line: info.lines, fields: record };
  }
  yield* skipped.splice(0);
}
