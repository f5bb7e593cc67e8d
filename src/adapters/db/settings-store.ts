import type { SettingsStore } from '../../services/ports.ts';
import type { Sql } from './database.ts';

export function createSettingsStore(db: Sql): SettingsStore {
  const get = async (key: string) => {
    const [row] = await db.query<{ value: string }>('SELECT value FROM settings WHERE key = $1', [key]);
    return row?.value;
  };
  return {
    get,
    async set(key, value) {
      await db.query(
        `INSERT INTO settings (key, value) VALUES ($1, $2)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = now()`,
        [key, value],
      );
    },
    async setOnce(key, value) {
      await db.query('INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING', [key, value]);
      // A read of its own: a racing instance's row, committed while the insert waited, is visible only to a new statement.
      return (await get(key))!;
    },
  };
}
