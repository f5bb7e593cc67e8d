import type { SettingsStore } from '../../services/ports.ts';
import type { Sql } from './database.ts';

export function createSettingsStore(db: Sql): SettingsStore {
  return {
    async get(key) {
      const [row] = await db.query<{ value: string }>('SELECT value FROM settings WHERE key = $1', [key]);
      return row?.value;
    },
    async set(key, value) {
      await db.query(
        `INSERT INTO settings (key, value) VALUES ($1, $2)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = now()`,
        [key, value],
      );
    },
  };
}
