import type { RecoveryStores, TokenLookup, TokenPurpose, TokenRecord } from '../../services/recovery-ports.ts';
import type { FlowKind } from '../../domain/flow.ts';
import type { Sql } from './database.ts';

export interface TokenRow {
  purpose: TokenPurpose;
  cedula: string;
  flow_id: string | null;
  expires_at: Date;
  used_at: Date | null;
  revoked_at: Date | null;
  /** The kind of the token's flow, where the query joined it. */
  flow_kind?: FlowKind | null;
}

export function classify(row: TokenRow | undefined, now: Date): TokenLookup {
  if (!row) return { status: 'unknown' };
  // Which journey the token belongs to; a spent one also says whose flow.
  const journey = row.flow_kind ? { journey: row.flow_kind } : {};
  const spent = { ...journey, ...(row.flow_id ? { flowId: row.flow_id } : {}) };
  if (row.revoked_at) return { status: 'replaced', ...spent };
  if (row.used_at) return { status: 'used', ...spent };
  if (row.expires_at.getTime() <= now.getTime()) return { status: 'expired', ...spent };
  const token: TokenRecord = { purpose: row.purpose, cedula: row.cedula, flowId: row.flow_id, expiresAt: row.expires_at };
  return { status: 'live', token, ...journey };
}

const TOKEN_FIELDS = ['purpose', 'cedula', 'flow_id', 'expires_at', 'used_at', 'revoked_at'] as const;

/** The columns of a TokenRow, qualified by `table` where a query joins another. */
const tokenColumns = (table?: string) => TOKEN_FIELDS.map((column) => (table ? `${table}.${column}` : column)).join(', ');

export const TOKEN_COLUMNS = tokenColumns();

/** A token's columns under names that cannot clash with those of a joined flow (`t_purpose`, …). */
export type PrefixedTokenRow = { [K in (typeof TOKEN_FIELDS)[number] as `t_${K}`]: TokenRow[K] | null };

export const prefixedTokenColumns = (table: string) => TOKEN_FIELDS.map((column) => `${table}.${column} AS t_${column}`).join(', ');

/** The token of a row read with `prefixedTokenColumns`; undefined when the join found none. */
export const fromPrefixed = (row: PrefixedTokenRow): TokenRow | undefined =>
  row.t_purpose === null ? undefined : (Object.fromEntries(TOKEN_FIELDS.map((column) => [column, row[`t_${column}`]])) as unknown as TokenRow);

/** Marks a live token used, given SQL expressions for its hash, purposes (text[]) and the time. */
export const consumeTokenSql = (hash: string, purposes: string, now: string) =>
  `UPDATE tokens SET used_at = ${now} WHERE token_hash = ${hash} AND purpose = ANY(${purposes}::text[])
     AND used_at IS NULL AND revoked_at IS NULL AND expires_at > ${now}`;

export function tokenStore(db: Sql): RecoveryStores['tokens'] {
  const find = async (hash: Buffer, purposes: readonly TokenPurpose[]) =>
    (
      await db.query<TokenRow>(
        `SELECT ${tokenColumns('t')}, f.kind AS flow_kind
         FROM tokens t LEFT JOIN recovery_flows f ON f.id = t.flow_id WHERE t.token_hash = $1 AND t.purpose = ANY($2::text[])`,
        [hash, purposes],
      )
    )[0];
  return {
    async insert(hash, token, now) {
      await db.query('INSERT INTO tokens (token_hash, purpose, cedula, flow_id, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6)', [
        hash, token.purpose, token.cedula, token.flowId, now, token.expiresAt,
      ]);
    },
    async consume(hash, purposes, now) {
      // The single-use guarantee: only one UPDATE can see used_at IS NULL.
      const [won] = await db.query<TokenRow>(
        `${consumeTokenSql('$1', '$2', '$3')} RETURNING ${TOKEN_COLUMNS}`,
        [hash, purposes, now],
      );
      if (won) return classify({ ...won, used_at: null }, now);
      return classify(await find(hash, purposes), now);
    },
    async peek(hash, purposes, now) {
      return classify(await find(hash, purposes), now);
    },
    async revokeLive(cedula, purposes, now) {
      await db.query('UPDATE tokens SET revoked_at = $3 WHERE cedula = $1 AND purpose = ANY($2::text[]) AND used_at IS NULL AND revoked_at IS NULL', [cedula, purposes, now]);
    },
  };
}

