import type { SettingsStore } from '../ports.ts';

const KEY = 'kba_reference_year';

/**
 * The year every decoy and "none" year is anchored to (DESIGN.md §2.2): the year of this
 * installation's first start, kept for ever. Today's year would move every decoy's options
 * on 1 January while a real affiliate's stayed, telling the two apart.
 */
export async function kbaReferenceYear(settings: SettingsStore, now: Date): Promise<number> {
  const stored = await settings.setOnce(KEY, String(now.getUTCFullYear()));
  if (!/^\d{4}$/.test(stored)) throw new Error(`settings.${KEY} must be a year, not "${stored}"`);
  return Number(stored);
}
