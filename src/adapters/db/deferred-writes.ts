import type { Sql } from './database.ts';

/** INSERT, UPDATE or DELETE with no RETURNING: its answer is always "no rows", known before it runs. */
function isSilentWrite(text: string): boolean {
  return /^\s*(?:INSERT|UPDATE|DELETE)\b/i.test(text) && !/\bRETURNING\b/i.test(text);
}

interface Write {
  text: string;
  params: readonly unknown[];
}

/** Several writes as one statement: each becomes a data-modifying CTE, its parameters renumbered. */
function combined(writes: readonly Write[]): Write {
  if (writes.length === 1) return writes[0]!;
  const params: unknown[] = [];
  const parts = writes.map((write, index) => {
    const offset = params.length;
    params.push(...write.params);
    return `w${index} AS (${write.text.replace(/\$(\d+)/g, (_, n: string) => `$${Number(n) + offset}`)})`;
  });
  return { text: `WITH ${parts.join(', ')} SELECT 1`, params };
}

/**
 * Inside a transaction, writes whose answer is known wait and go out together, as one
 * statement, before the next read or when `flush` is called at the end: one round trip
 * instead of one each. One statement sees one snapshot, which is what the writes would
 * see one after another as long as none of them depends on another's effect (rows other
 * transactions commit while an earlier one waits included) or touches the same row. A
 * write that needs to go alone ends with RETURNING: the account updates that must be
 * seen before sessions are revoked do.
 */
export function deferringWrites(sql: Sql): Sql & { flush(): Promise<void> } {
  let pending: Write[] = [];
  async function flush(): Promise<void> {
    if (pending.length === 0) return;
    const { text, params } = combined(pending);
    pending = [];
    await sql.query(text, params);
  }
  return {
    async query<Row>(text: string, params: readonly unknown[] = []): Promise<Row[]> {
      if (isSilentWrite(text)) {
        pending.push({ text, params });
        return [];
      }
      await flush();
      return sql.query<Row>(text, params);
    },
    async exec(text: string) {
      await flush();
      await sql.exec(text);
    },
    flush,
  };
}
