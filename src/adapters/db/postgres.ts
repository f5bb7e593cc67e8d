import { createHash } from 'node:crypto';
import pg from 'pg';
import { asNumber, asText, DATE_OID, INT8_OID, NUMERIC_OID, type Database, type Sql } from './database.ts';
import { StorageUnavailable } from '../../services/ports.ts';

const parsers = new Map<number, (value: string) => unknown>([
  [DATE_OID, asText],
  [INT8_OID, asNumber],
  [NUMERIC_OID, asNumber],
]);

const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    return parsers.get(oid) ?? pg.types.getTypeParser(oid, format);
  },
} as pg.CustomTypesConfig;

// Connection-level failures (server down, network, timeouts): the service is unavailable,
// as opposed to a query the database refused.
const UNAVAILABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', '57P01', '57P02', '57P03', '08000', '08001', '08003', '08006']);

function unavailable(error: unknown): boolean {
  const { code, message } = error as { code?: string; message?: string };
  return (code !== undefined && UNAVAILABLE_CODES.has(code)) || /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Query read timeout/i.test(message ?? '');
}

async function guarded<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw unavailable(error) ? new StorageUnavailable(error) : error;
  }
}

const statementNames = new Map<string, string>();
const MAX_NAMED_STATEMENTS = 1000;

/**
 * A name per distinct SQL text, so each connection parses and plans a statement once and
 * then only binds and executes it. The texts are the code's constants, so the map stays small.
 */
function statementName(text: string): string | undefined {
  let name = statementNames.get(text);
  if (name === undefined && statementNames.size < MAX_NAMED_STATEMENTS) {
    name = `clave_${createHash('sha256').update(text).digest('base64url').slice(0, 22)}`;
    statementNames.set(text, name);
  }
  return name;
}

function wrap(client: pg.Pool | pg.PoolClient): Sql {
  return {
    async query<Row>(text: string, params: readonly unknown[] = []) {
      const result = await guarded(() => client.query({ text, values: params as unknown[], name: statementName(text) }));
      return result.rows as Row[];
    },
    async exec(text: string) {
      await guarded(() => client.query(text));
    },
  };
}

export interface PostgresOptions {
  /** Tests run in a schema of their own. */
  searchPath?: string;
  poolSize?: number;
  connectTimeoutMs?: number;
  /** Serving sets one so a frozen database cannot hold a request; the CLI's long imports do not. */
  queryTimeoutMs?: number;
}

export async function openPostgres(url: string, options: PostgresOptions = {}): Promise<Database> {
  const pool = new pg.Pool({
    connectionString: url,
    types,
    max: options.poolSize ?? 10,
    // Short, so a database outage answers CLV-090 in well under 2 s instead of hanging.
    connectionTimeoutMillis: options.connectTimeoutMs ?? 1500,
    keepAlive: true,
    ...(options.queryTimeoutMs ? { query_timeout: options.queryTimeoutMs } : {}),
    ...(options.searchPath ? { options: `-c search_path=${options.searchPath}` } : {}),
  });
  // An idle client that loses its connection must not crash the process.
  pool.on('error', () => undefined);
  return {
    engine: 'postgres',
    ...wrap(pool),
    async transaction<T>(work: (tx: Sql) => Promise<T>): Promise<T> {
      const client = await guarded(() => pool.connect());
      let result: T;
      try {
        await client.query('BEGIN');
        result = await work(wrap(client));
        await client.query('COMMIT');
      } catch (error) {
        const rolledBack = await client.query('ROLLBACK').then(() => true, () => false);
        // A connection that could not even roll back is broken: drop it rather than reuse it.
        client.release(rolledBack ? undefined : (error as Error));
        throw unavailable(error) ? new StorageUnavailable(error) : error;
      }
      client.release();
      return result;
    },
    close: () => pool.end(),
  };
}
