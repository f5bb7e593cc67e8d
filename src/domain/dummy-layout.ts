/**
 * Which argon2id settings a cédula without a clave is verified under at Ingresar.
 *
 * An account keeps the hash it was given until its owner signs in again, so after ARGON2_*
 * are raised some accounts verify under older, cheaper settings, and a single dummy under
 * today's settings would let timing tell them from cédulas without a clave. So the cédulas
 * are spread over the settings stored, with their odds: each cédula falls in one of
 * BUCKETS buckets (by a secret-keyed seed) and each bucket belongs to one settings.
 *
 * A real account only ever moves from older settings to today's (at sign-in), never from
 * one older settings to another, nor back. The layout keeps that true of cédulas without a
 * clave too: as an older settings' share shrinks it hands its own buckets to today's, and
 * no others move. Laying the buckets out afresh from the shares at each count could not:
 * with three settings or more, some would pass from one older settings to another.
 */
export const BUCKETS = 65_536;
/**
 * Settings given buckets at most, the commonest: as many as one byte per bucket can name.
 * Far more than any history of raises leaves, so that none is ever cut (a settings cut
 * and taken back would move its buckets).
 */
export const MAX_SETTINGS = 255;

export interface DummyLayout {
  /** PHC prefixes, `$argon2id$v=19$m=…,t=…,p=…`. */
  settings: string[];
  /** For each bucket, the index in `settings` of the settings that owns it. */
  buckets: Uint8Array;
}

export interface SettingsShare {
  settings: string;
  accounts: number;
}

export interface Argon2Cost {
  memoryKib: number;
  iterations: number;
  parallelism: number;
}

export const settingsKey = ({ memoryKib, iterations, parallelism }: Argon2Cost) => `$argon2id$v=19$m=${memoryKib},t=${iterations},p=${parallelism}`;

const PHC_SETTINGS = /^\$argon2id\$v=19\$m=(\d{1,7}),t=(\d{1,2}),p=(\d{1,2})$/;
// Up to what ARGON2_* accept (config.ts), down to what argon2 itself accepts (8 KiB a lane):
// a dummy can be made for any hash Clave could have stored.
const MAX_MEMORY_KIB = 1_048_576;
const MAX_ITERATIONS = 10;
const MAX_PARALLELISM = 16;

/** The cost of an argon2id v1.3 PHC prefix; undefined for anything else or out of bounds. */
export function parseSettings(settings: string): Argon2Cost | undefined {
  const match = PHC_SETTINGS.exec(settings);
  if (!match) return undefined;
  const [memoryKib, iterations, parallelism] = match.slice(1).map(Number) as [number, number, number];
  const sane = parallelism >= 1 && parallelism <= MAX_PARALLELISM && iterations >= 1 && iterations <= MAX_ITERATIONS && memoryKib >= 8 * parallelism && memoryKib <= MAX_MEMORY_KIB;
  return sane ? { memoryKib, iterations, parallelism } : undefined;
}

/** Whether a layout read back is one this module could have made: every bucket owned by a settings it knows. */
export function isWholeLayout(layout: DummyLayout): boolean {
  const { settings, buckets } = layout;
  return (
    buckets.length === BUCKETS &&
    settings.length <= MAX_SETTINGS &&
    new Set(settings).size === settings.length &&
    settings.every((key) => parseSettings(key) !== undefined) &&
    buckets.every((index) => index < settings.length)
  );
}

/** The bucket of a seed: its first 16 bits. */
export const bucketOf = (seed: Uint8Array) => (seed[0]! << 8) | seed[1]!;

export const settingsAt = (layout: DummyLayout, seed: Uint8Array) => layout.settings[layout.buckets[bucketOf(seed)]!]!;

/** How many buckets each valid settings should own: its share, rounded down; today's takes the rest. */
function targets(mix: readonly SettingsShare[], today: string): Map<string, number> {
  const counted = new Map<string, number>();
  for (const { settings, accounts } of mix) {
    const cost = parseSettings(settings);
    if (cost && accounts > 0) counted.set(settingsKey(cost), (counted.get(settingsKey(cost)) ?? 0) + accounts);
  }
  // Ties broken by name, so that every instance keeps the same ones.
  const kept = [...counted].sort(([a, x], [b, y]) => y - x || (a < b ? -1 : 1)).slice(0, MAX_SETTINGS - 1);
  const total = kept.reduce((sum, [, accounts]) => sum + accounts, 0) + (kept.some(([key]) => key === today) ? 0 : counted.get(today) ?? 0);
  // At least one bucket each: with none, a settings' few accounts would stand out for sure.
  const wanted = new Map(kept.filter(([key]) => key !== today).map(([key, accounts]) => [key, Math.max(1, Math.floor((accounts / total) * BUCKETS))]));
  wanted.set(today, BUCKETS - [...wanted.values()].reduce((sum, n) => sum + n, 0));
  return wanted;
}

/**
 * The next layout, given the previous one (if any), how many stored claves have each
 * settings, and today's settings. Older settings give their highest buckets to today's
 * as their share shrinks, and settings no clave has any more give all of theirs. A
 * settings whose share grew (it was today's when the last count was made, or accounts
 * were deleted) takes today's highest buckets. The first layout is laid out in order of
 * the names.
 */
export function nextLayout(previous: DummyLayout | undefined, mix: readonly SettingsShare[], today: string): DummyLayout {
  const wanted = targets(mix, today);
  const owners = previous ? [...previous.buckets].map((index) => previous.settings[index]!) : firstOwners(wanted, today);
  const owned = new Map<string, number[]>();
  owners.forEach((key, bucket) => (owned.get(key) ?? owned.set(key, []).get(key)!).push(bucket));
  const released: number[] = [];
  for (const [key, buckets] of owned) {
    if (key === today) continue;
    released.push(...buckets.slice(wanted.get(key) ?? 0));
  }
  for (const bucket of released) owners[bucket] = today;
  // Growth is taken from what was today's before this count, then from what was just released.
  const givable = [...(owned.get(today) ?? []).reverse(), ...released];
  for (const [key, want] of wanted) {
    if (key === today) continue;
    const missing = want - (owned.get(key)?.length ?? 0);
    for (const bucket of missing > 0 ? givable.splice(0, missing) : []) owners[bucket] = key;
  }
  return compact(owners);
}

/** With no previous layout: each settings a run of buckets, in order of the names, today's last. */
function firstOwners(wanted: Map<string, number>, today: string): string[] {
  const older = [...wanted].filter(([key]) => key !== today).sort(([a], [b]) => (a < b ? -1 : 1));
  const owners = older.flatMap(([key, count]) => Array<string>(count).fill(key));
  return [...owners, ...Array<string>(BUCKETS - owners.length).fill(today)];
}

function compact(owners: readonly string[]): DummyLayout {
  const settings = [...new Set(owners)].sort();
  const index = new Map(settings.map((key, i) => [key, i]));
  return { settings, buckets: Uint8Array.from(owners, (key) => index.get(key)!) };
}
