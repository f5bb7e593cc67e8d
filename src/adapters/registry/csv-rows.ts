import type { Readable } from 'node:stream';
import { ImportFileError, type CsvRow } from '../../services/registry-import.ts';
import { splitCsvLine } from './csv-line.ts';
import { physicalLines } from './physical-lines.ts';

const MAX_LINE_BYTES = 64 * 1024;
const BOM = '\uFEFF';

/** Counts the non-empty lines read, header included: each became exactly one row. */
export interface LinesRead {
  nonEmpty: number;
}

/**
 * Decodes strictly: a file saved in another encoding (Windows-1252 from Excel) would
 * otherwise load names with U+FFFD in them, without a word.
 */
function decodeLine(decoder: TextDecoder, bytes: Buffer, line: number): string {
  try {
    return decoder.decode(bytes);
  } catch (error) {
    if (error instanceof TypeError) throw new ImportFileError(`el archivo no está en UTF-8 (línea ${line}): guárdelo como CSV UTF-8`);
    throw error;
  }
}

/**
 * Reads CSV (UTF-8, optional BOM) as a stream of rows with their line numbers, one
 * physical line per row: registry fields never hold a line break (domain/registry.ts
 * refuses control characters), so a malformed line (a stray quote, an oversized line) is
 * reported alone, with its own number, and cannot swallow the lines after it. Bytes
 * that are not UTF-8 stop the file (ImportFileError): every name in it would be suspect.
 */
export async function* csvRows(input: Readable, read: LinesRead = { nonEmpty: 0 }): AsyncGenerator<CsvRow> {
  // ignoreBOM keeps a BOM in the text, so that only the one opening the file is dropped.
  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  for await (const physical of physicalLines(input, MAX_LINE_BYTES)) {
    const { line } = physical;
    if ('tooLong' in physical) {
      read.nonEmpty++;
      yield { line, fields: [], problem: `la línea supera ${MAX_LINE_BYTES} bytes` };
      continue;
    }
    const decoded = decodeLine(decoder, physical.bytes, line);
    const text = line === 1 && decoded.startsWith(BOM) ? decoded.slice(BOM.length) : decoded;
    if (text === '') continue;
    read.nonEmpty++;
    const split = splitCsvLine(text);
    yield 'problem' in split ? { line, fields: [], problem: split.problem } : { line, fields: split.fields };
  }
}
