import { createCipheriv, createHash, createHmac } from 'node:crypto';

/**
 * The deterministic randomness behind the knowledge questions: HMAC-keyed draws, the
 * secret-keyed points at which employers are sampled from the registry, and the names
 * distractors are taken from.
 */
/** HMAC of a JSON tuple: the encoding keeps a cédula from running into a kind or an index. */
export function keyed(secret: string, ...parts: (string | number)[]): Buffer {
  return createHmac('sha256', secret).update(JSON.stringify(['clave-kba', ...parts])).digest();
}

/** A PRNG: HMAC-SHA256 in counter mode under a seed. */
export class Draws {
  private block = Buffer.alloc(0);
  private offset = 0;
  private counter = 0;

  constructor(private readonly seed: Buffer) {}

  private next32(): number {
    if (this.offset + 4 > this.block.length) {
      const counter = Buffer.alloc(4);
      counter.writeUInt32BE(this.counter++);
      this.block = createHmac('sha256', this.seed).update(counter).digest();
      this.offset = 0;
    }
    const value = this.block.readUInt32BE(this.offset);
    this.offset += 4;
    return value;
  }

  /** Uniform in 0..n-1; rejection keeps the modulo from favouring small values. */
  below(n: number): number {
    if (n <= 1) return 0;
    const limit = 2 ** 32 - (2 ** 32 % n);
    for (;;) {
      const value = this.next32();
      if (value < limit) return value % n;
    }
  }

  /** The first `take` items of a uniform shuffle (Fisher–Yates); the input is not touched. */
  pick<T>(items: readonly T[], take = items.length): T[] {
    const copy = [...items];
    const n = Math.min(take, copy.length);
    for (let i = 0; i < n; i++) {
      const j = i + this.below(copy.length - i);
      [copy[i], copy[j]] = [copy[j]!, copy[i]!];
    }
    return copy.slice(0, n);
  }
}

/** How a name is shown: NFC, single spaces, trimmed. */
export function cleanName(name: string): string {
  return name.normalize('NFC').replace(/\s+/g, ' ').trim();
}

/** Legal forms at the end of a company's name, once accents, case and punctuation are gone. */
const LEGAL_FORM = / (s a s|sas|s a|sa|c a|ca|cia ltda|cia|ltda|c ltda|e p|ep|sociedad anonima|compania limitada|compania anonima)$/;

/**
 * Names equal under this key are the same employer to the person asked: "ACME S.A." must
 * never be a distractor for "Acme S.A.", nor "Acme C.A." for "Acmé Cía. Ltda.", as nobody
 * remembers a former employer's legal form. Accents, case, punctuation and the legal form
 * at the end do not count.
 */
export function nameKey(name: string): string {
  let key = cleanName(name).normalize('NFD').replace(/\p{M}/gu, '').toLowerCase().replace(/[^\p{L}\p{N}]+/gu, ' ').trim();
  for (let bare = key.replace(LEGAL_FORM, ''); bare !== key && bare !== ''; bare = key.replace(LEGAL_FORM, '')) key = bare;
  return key;
}

/**
 * A name as the person would say it: the spelling kept, the legal form at its end left off
 * ("Servicios Galápagos", not "Servicios Galápagos Cía. Ltda."). Names with one key show
 * alike, and names with different keys never do, as the key is read off what is shown.
 */
export function withoutLegalForm(name: string): string {
  const key = nameKey(name);
  const words = cleanName(name).split(' ');
  // The fewest leading words with the whole name's key: a legal form spelt in pieces ("S. A.") goes too.
  const kept = words.findIndex((_, i) => nameKey(words.slice(0, i + 1).join(' ')) === key);
  const shown = words.slice(0, kept + 1).join(' ').replace(/[\s,;–-]+$/u, '');
  return shown === '' ? cleanName(name) : shown;
}

const digestCache = new WeakMap<readonly string[], Buffer>();

/** Each name's SHA-256, truncated to one AES block, end to end. Remembered per array: the synthetic padding is the same array on every call. */
function digestsOf(names: readonly string[]): Buffer {
  let digests = digestCache.get(names);
  if (digests === undefined) {
    digests = Buffer.concat(names.map((name) => createHash('sha256').update(name, 'utf8').digest().subarray(0, 16)));
    digestCache.set(names, digests);
  }
  return digests;
}

/**
 * The names in a secret-keyed random order, handed out one at a time: each name's rank is
 * AES under the key of its digest (one cipher call for all the names), ties broken by the
 * name. A name's rank does not depend on the other names. The order is a heap, not a sort:
 * a question set takes only a few names.
 */
export class KeyedOrder {
  private readonly high: Float64Array;
  private readonly low: Float64Array;
  private readonly heap: Int32Array;
  private size: number;

  constructor(key: Buffer, private readonly names: readonly string[]) {
    const count = names.length;
    this.high = new Float64Array(count);
    this.low = new Float64Array(count);
    this.heap = new Int32Array(count);
    this.size = count;
    if (count === 0) return;
    const cipher = createCipheriv('aes-128-ecb', key.subarray(0, 16), null);
    cipher.setAutoPadding(false);
    const ranks = Buffer.concat([cipher.update(digestsOf(names)), cipher.final()]);
    for (let i = 0; i < count; i++) {
      this.high[i] = ranks.readUIntBE(i * 16, 6);
      this.low[i] = ranks.readUIntBE(i * 16 + 6, 6);
      this.heap[i] = i;
    }
    for (let at = (count >> 1) - 1; at >= 0; at--) this.siftDown(at);
  }

  /** The next name in the order, or undefined when every name has been handed out. */
  next(): string | undefined {
    if (this.size === 0) return undefined;
    const first = this.heap[0]!;
    this.heap[0] = this.heap[--this.size]!;
    this.siftDown(0);
    return this.names[first];
  }

  private before(a: number, b: number): boolean {
    const { high, low, names } = this;
    if (high[a] !== high[b]) return high[a]! < high[b]!;
    if (low[a] !== low[b]) return low[a]! < low[b]!;
    return names[a]! < names[b]!;
  }

  private siftDown(from: number): void {
    const { heap, size } = this;
    let at = from;
    for (;;) {
      const left = 2 * at + 1;
      if (left >= size) return;
      const right = left + 1;
      const child = right < size && this.before(heap[right]!, heap[left]!) ? right : left;
      if (!this.before(heap[child]!, heap[at]!)) return;
      [heap[at], heap[child]] = [heap[child]!, heap[at]!];
      at = child;
    }
  }
}

/** Padding for a registry too small to supply distractors: plausible, never a real person's employer. */
export const SYNTHETIC_EMPLOYERS: readonly string[] = Object.freeze(
  ['Comercial', 'Distribuidora', 'Agrícola', 'Importadora', 'Constructora', 'Industrial', 'Servicios', 'Inversiones'].flatMap((stem) =>
    ['del Pacífico', 'Andina', 'Austral', 'Los Ríos', 'Chimborazo', 'El Oro'].flatMap((place) => [`${stem} ${place} S.A.`, `${stem} ${place} Cía. Ltda.`]),
  ),
);

/**
 * Sample draws per identity page: for the decoy's (up to 4) jobs, and for (up to 9)
 * distractors. The extra draws make up for repeats and for the person's own employers,
 * which are skipped. Every cédula draws as many, so every identity page costs the same.
 */
export const DECOY_DRAWS = 8;
export const DISTRACTOR_DRAWS = 24;

/** A point on the ring of 63-bit sample keys that the registry's employment rows sit on. */
function samplePoint(secret: string, ...parts: (string | number)[]): bigint {
  return keyed(secret, 'sample', ...parts).readBigUInt64BE(0) >> 1n;
}

/**
 * Where the registry is sampled for one identity page: the decoy's points, then the
 * distractors'. Only the secret and the cédula decide them, so the same rows, hence the
 * same options, come up on every attempt and after a new clave.
 */
export function samplePoints(secret: string, cedula: string): bigint[] {
  const decoy = Array.from({ length: DECOY_DRAWS }, (_, i) => samplePoint(secret, 'decoy', cedula, i));
  const distractors = Array.from({ length: DISTRACTOR_DRAWS }, (_, i) => samplePoint(secret, 'distractors', cedula, i));
  return [...decoy, ...distractors];
}

/**
 * The employment row the registry holds at a sample point: its employer as the employers
 * table names it ('' when that table lacks the RUC) and its dates; null when the registry
 * holds no employment at all.
 */
export type RegistrySample = {
  rucEmpleador: string;
  empleador: string;
  fechaInicio: string;
  fechaFin: string | null;
} | null;

export interface EmployerSamples {
  decoy: readonly RegistrySample[];
  distractors: readonly RegistrySample[];
}

/** The rows the registry gave for `samplePoints`, in the same order, split by use. */
export function splitSamples(rows: readonly RegistrySample[]): EmployerSamples {
  return { decoy: rows.slice(0, DECOY_DRAWS), distractors: rows.slice(DECOY_DRAWS, DECOY_DRAWS + DISTRACTOR_DRAWS) };
}

/**
 * Employer names not yet used: the registry's samples in draw order, then the synthetic
 * padding in a keyed order. Every name taken (and every name in `excluded` from the
 * start) is skipped from then on.
 */
export class EmployerSource {
  private readonly samples: Iterator<string>;
  private readonly padding: KeyedOrder;

  constructor(key: Buffer, samples: readonly string[], private readonly excluded: Set<string>) {
    this.samples = samples.map(cleanName).values();
    this.padding = new KeyedOrder(key, SYNTHETIC_EMPLOYERS);
  }

  take(): string {
    for (let next = this.samples.next(); !next.done; next = this.samples.next()) if (next.value !== '' && this.claim(next.value)) return next.value;
    for (let name = this.padding.next(); name !== undefined; name = this.padding.next()) if (this.claim(name)) return name;
    // Only reachable with a history of ~100 synthetic-looking names; still always terminates.
    for (let n = 1; ; n++) {
      const name = `Servicios Generales ${n} S.A.`;
      if (this.claim(name)) return name;
    }
  }

  private claim(name: string): boolean {
    const key = nameKey(name);
    if (this.excluded.has(key)) return false;
    this.excluded.add(key);
    return true;
  }
}
