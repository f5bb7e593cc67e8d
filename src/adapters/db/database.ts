/**
 * The one query layer over both engines. Queries are plain parameterised SQL that runs
 * unchanged on PGlite and PostgreSQL; dates come back as `YYYY-MM-DD` strings and
 * bigints as numbers on both, so callers never see an engine difference.
 */
export interface Sql {
  query<Row>(text: string, params?: readonly unknown[]): Promise<Row[]>;
  /** Several statements, no parameters (migrations). */
  exec(text: string): Promise<void>;
}

export interface Database extends Sql {
  readonly engine: 'pglite' | 'postgres';
  transaction<T>(work: (tx: Sql) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export const DATE_OID = 1082;
export const INT8_OID = 20;
export const NUMERIC_OID = 1700;

export const asText = (value: string): string => value;
export const asNumber = (value: string): number => Number(value);
