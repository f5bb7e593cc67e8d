import type { DummyLayout } from '../../domain/dummy-layout.ts';
import type { CountedLayout, DummyLayoutStore } from '../../services/account/login-ports.ts';
import type { Database, Sql } from './database.ts';

interface LayoutRow {
  settings: string[];
  buckets: Uint8Array;
  counted_at: Date;
}

const asLayout = (row: LayoutRow): CountedLayout => ({ settings: row.settings, buckets: new Uint8Array(row.buckets), countedAt: new Date(row.counted_at) });

async function current(sql: Sql): Promise<CountedLayout | undefined> {
  const [row] = await sql.query<LayoutRow>('SELECT settings, buckets, counted_at FROM dummy_hash_layout WHERE id = 1');
  return row ? asLayout(row) : undefined;
}

export function dummyLayoutStore(db: Database): DummyLayoutStore {
  return {
    read: () => current(db),
    replace(next: (previous: DummyLayout | undefined) => DummyLayout, countedAt: Date) {
      return db.transaction(async (tx) => {
        // One instance at a time, the first layout included (no row to lock yet): each next
        // layout follows from the one before it. Readers do not wait.
        await tx.query('LOCK TABLE dummy_hash_layout IN SHARE ROW EXCLUSIVE MODE');
        const previous = await current(tx);
        // A count begun later is in already (an instance whose count was slower lost the
        // race): going back to this one would move buckets from today's settings back.
        if (previous && previous.countedAt.getTime() >= countedAt.getTime()) return previous;
        const layout = next(previous);
        await tx.query(
          `INSERT INTO dummy_hash_layout (id, settings, buckets, counted_at) VALUES (1, $1, $2, $3)
           ON CONFLICT (id) DO UPDATE SET settings = EXCLUDED.settings, buckets = EXCLUDED.buckets, counted_at = EXCLUDED.counted_at`,
          [layout.settings, Buffer.from(layout.buckets), countedAt],
        );
        return { ...layout, countedAt };
      });
    },
  };
}
