/**
 * The dummy hashes Ingresar verifies against when a cédula has no clave stored, one per
 * argon2id settings the current layout gives buckets to (domain/dummy-layout.ts).
 */
import { parseSettings, settingsAt, settingsKey, BUCKETS, type Argon2Cost, type DummyLayout } from '../domain/dummy-layout.ts';

/**
 * `make` hashes a secret nobody knows under the given cost (the dummy can never verify,
 * only cost the same). Before any layout is used, every cédula gets today's settings.
 */
export function argon2Dummies(today: Argon2Cost, make: (cost: Argon2Cost) => Promise<string>) {
  let layout: DummyLayout = { settings: [settingsKey(today)], buckets: new Uint8Array(BUCKETS) };
  const made = new Map<string, Promise<string>>();

  function dummyFor(key: string): Promise<string> {
    let dummy = made.get(key);
    if (!dummy) {
      // Not kept when it failed: every cédula without a clave would get an error a real one does not.
      dummy = make(parseSettings(key) ?? today).catch((error: unknown) => {
        made.delete(key);
        throw error;
      });
      made.set(key, dummy);
    }
    return dummy;
  }

  return {
    /** Takes effect once the dummy of each of its settings exists; until then the last one stays. */
    async use(next: DummyLayout): Promise<void> {
      // One at a time: a count must not take every argon2id slot at once.
      for (const key of next.settings) await dummyFor(key);
      layout = next;
      for (const key of made.keys()) if (!next.settings.includes(key)) made.delete(key);
    },
    /** The settings a dummy verification for this seed runs with. */
    settingsFor: (seed: Uint8Array) => settingsAt(layout, seed),
    hashFor: (seed: Uint8Array) => dummyFor(settingsAt(layout, seed)),
  };
}
