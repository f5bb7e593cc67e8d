/**
 * The dummy hashes Ingresar verifies against when a cédula has no clave stored (unknown,
 * or an affiliate who never made one). A single dummy costs what today's ARGON2_* cost,
 * but a stored hash costs what its own settings cost, and after ARGON2_* are raised an
 * account keeps its older, cheaper hash until its owner signs in again. Timing would then
 * tell those accounts from cédulas without one. So the dummies mirror the settings that
 * are stored: every cédula is given one of them through a secret-keyed seed, with the odds
 * a stored hash has of having them, and keeps it while the mix stays the same.
 */
import type { HashSettingsShare } from '../services/recovery-ports.ts';

export interface Argon2Cost {
  memoryKib: number;
  iterations: number;
  parallelism: number;
}

/** The PHC prefix of an argon2id v1.3 hash, the form the store reports and this module keys by. */
export const settingsKey = ({ memoryKib, iterations, parallelism }: Argon2Cost) => `$argon2id$v=19$m=${memoryKib},t=${iterations},p=${parallelism}`;

const PHC_SETTINGS = /^\$argon2id\$v=19\$m=(\d{1,7}),t=(\d{1,2}),p=(\d{1,2})$/;
/** Beyond what ARGON2_* accept (config.ts), a stored hash is not ours: no dummy is made for it. */
const MAX_MEMORY_KIB = 1_048_576;
const MAX_ITERATIONS = 10;
const MAX_PARALLELISM = 16;
/** Distinct settings mirrored at most; the rarest beyond it are left out. */
export const MAX_MIRRORED = 16;

export function parseSettings(settings: string): Argon2Cost | undefined {
  const match = PHC_SETTINGS.exec(settings);
  if (!match) return undefined;
  const [memoryKib, iterations, parallelism] = match.slice(1).map(Number) as [number, number, number];
  const sane = parallelism >= 1 && parallelism <= MAX_PARALLELISM && iterations >= 1 && iterations <= MAX_ITERATIONS && memoryKib >= 8 * parallelism && memoryKib <= MAX_MEMORY_KIB;
  return sane ? { memoryKib, iterations, parallelism } : undefined;
}

interface Slice {
  key: string;
  cost: Argon2Cost;
  /** The seed's share of 2^32 below which a cédula gets this slice (cumulative). */
  upTo: number;
}

/**
 * The slices of [0, 1) each settings get, in proportion to their accounts, in the order of
 * their names: a function of the mix alone, so instances that read the same mix give a
 * cédula the same settings. After one raise of ARGON2_*, as the older hashes are replaced
 * at sign-in, a cédula moves from the older settings to today's, as a real account does.
 * (With two older settings shrinking at once, a cédula at the edge between them can move
 * from one to the other, which no real account does: visible only to someone timing that
 * one cédula across the weeks it takes.)
 */
function slices(shares: readonly HashSettingsShare[], current: Argon2Cost): Slice[] {
  const counted = new Map<string, { cost: Argon2Cost; accounts: number }>();
  for (const { settings, accounts } of shares) {
    const cost = parseSettings(settings);
    if (!cost || !(accounts > 0)) continue;
    const key = settingsKey(cost);
    counted.set(key, { cost, accounts: (counted.get(key)?.accounts ?? 0) + accounts });
  }
  const kept = [...counted.entries()].sort((a, b) => b[1].accounts - a[1].accounts).slice(0, MAX_MIRRORED);
  if (kept.length === 0) return [{ key: settingsKey(current), cost: current, upTo: 1 }];
  kept.sort(([a], [b]) => (a < b ? -1 : 1));
  const total = kept.reduce((sum, [, entry]) => sum + entry.accounts, 0);
  let running = 0;
  return kept.map(([key, { cost, accounts }]) => {
    running += accounts;
    return { key, cost, upTo: running / total };
  });
}

/** A seed's position in [0, 1): its first 32 bits. */
const position = (seed: Uint8Array) => new DataView(seed.buffer, seed.byteOffset, 4).getUint32(0) / 2 ** 32;

/**
 * `make` hashes a secret nobody knows under the given cost (the dummy can never verify,
 * only cost the same); it is called once per settings mirrored, and again only if it failed.
 */
export function argon2Dummies(current: Argon2Cost, make: (cost: Argon2Cost) => Promise<string>) {
  let table = slices([], current);
  const made = new Map<string, Promise<string>>();

  function dummyFor({ key, cost }: Slice): Promise<string> {
    let dummy = made.get(key);
    if (!dummy) {
      // Not kept when it failed: every cédula without a clave would get an error a real one does not.
      dummy = make(cost).catch((error: unknown) => {
        made.delete(key);
        throw error;
      });
      made.set(key, dummy);
    }
    return dummy;
  }

  const sliceFor = (seed: Uint8Array) => table.find((slice) => position(seed) < slice.upTo) ?? table[table.length - 1]!;

  return {
    /** Follows the settings stored; the new mix takes effect once each of its dummies exists. */
    async mirror(shares: readonly HashSettingsShare[]): Promise<void> {
      const next = slices(shares, current);
      await Promise.all(next.map(dummyFor));
      table = next;
      for (const key of made.keys()) if (!next.some((slice) => slice.key === key)) made.delete(key);
    },
    /** The settings a dummy verification for this seed runs with. */
    settingsFor: (seed: Uint8Array) => sliceFor(seed).key,
    hashFor: (seed: Uint8Array) => dummyFor(sliceFor(seed)),
  };
}
