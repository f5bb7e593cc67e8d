import { UNKNOWN_CEDULA } from './journey.ts';

/**
 * Deterministic generation of hostile input for test/security/hostile-input-*.test.ts:
 * a seeded random source, the hostile vocabularies, and `Gen`, which turns them into
 * strings, JSON values, tokens, ids and field values (often realistic, often hostile).
 */

/** Reproduce a failure with the printed seed: CLAVE_FUZZ_SEED=<seed>. */
export const SEED = Number(process.env.CLAVE_FUZZ_SEED ?? 20_240_611) >>> 0;
/** CLAVE_FUZZ_REQUESTS=<n> changes the number of generated requests. */
export const REQUESTS = Number(process.env.CLAVE_FUZZ_REQUESTS ?? 10_400);
export const STRONG = 'tigre-Nube-87-calle';

/** mulberry32: the same sequence for the same seed on every machine. */
export class Rng {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  between(min: number, max: number): number {
    return min + this.int(max - min + 1);
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }
}

// Canaries: none of these may ever come back verbatim in an HTML body. Escaped text such as
// `&quot;&#39;&gt;&lt;img src=x onerror=alert(1)&gt;` is harmless wherever it lands (text or
// attribute value); a raw tag (`<img src=x onerror=…`, `<script>alert`), or one of the payload's
// quotes left unescaped so that it breaks out of an attribute (`"'>`, `"&#39;`, `&quot;'`), is not.
export const RAW_MARKUP = ['<script>alert', '<svg/onload', '<img src=x', '<iframe', '"\'>', '"\'&gt;', '"&#39;&gt;', "&quot;'&gt;", '"&#39;>', "&quot;'>"];
const MARKUP = [
  '<script>alert(1)</script>',
  '"\'><img src=x onerror=alert(1)>',
  '<svg/onload=alert(1)>',
  '</textarea><script>alert(1)</script>',
  '</title><iframe src=javascript:alert(1)>',
  '"><script>alert(document.cookie)</script>',
  '{{ 7*7 }}{% raw %}{{ constructor.constructor("return process")() }}',
  '${7*7}#{7*7}',
  '<!--',
  ']]>&amp;&lt;',
];
const SQL = ["' OR 1=1 --", "'; DROP TABLE accounts; --", '" OR ""="', "1); SELECT pg_sleep(5); --", "' UNION SELECT password_hash FROM accounts --", '\\', "'", '%', '_'];
const CONTROL = ['\u0000', 'a\u0000b', '\u0001\u0002\u001f\u007f', '\r\n', '\r\nSet-Cookie: x=1', '\t\v\f', '\u202e\u2066', '\ufeff', '\ud800', '\udfff', '💥🇪🇨', 'e\u0301', '\u2028\u2029', '\u0085'];
export const PROTO = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf', '__defineGetter__'];
const NUMBERISH = ['0', '-1', '1e309', 'NaN', 'Infinity', '99999999999999999999', '0x1f', '1.5', '07', ' 7 ', '+3', '٣'];
export const TRAVERSAL = ['../../package.json', '..\\..\\package.json', '%2e%2e%2fpackage.json', '/etc/passwd', '....//....//package.json', '.env'];
export const INVALID_UTF8 = [Buffer.from([0xff]), Buffer.from([0xc3, 0x28]), Buffer.from([0xa0, 0xa1]), Buffer.from([0xe2, 0x28, 0xa1]), Buffer.from([0xf0, 0x90, 0x28, 0xbc]), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from([0xfe, 0xfe, 0xff, 0xff]), Buffer.from([0xc0, 0xaf])];
export const PERCENT_JUNK = ['%', '%z', '%zz', '%C3%28', '%FF', '%ED%A0%80', '%00', '%%', '%u0041', '%2'];

export const JSON_TYPE = 'application/json';
export const FORM_TYPE = 'application/x-www-form-urlencoded';
export const ODD_TYPES = [
  'text/plain',
  'multipart/form-data; boundary=----x',
  'application/xml',
  'text/html',
  'application/json; charset=latin1',
  'application/jsonx',
  'APPLICATION/JSON',
  'application/x-www-form-urlencoded; charset=utf-16',
  'application/octet-stream',
  '*/*',
  ';;;',
  'application/json, text/plain',
  '',
];

/** What the storm knows about the running app: real ids and tokens so requests reach deep. */
export interface Fixtures {
  csrf: { secret: string; token: string }[];
  flows: { id: string; questions: { id: string; options: string[] }[] }[];
  captchas: string[];
  linkToken: string;
  disavowToken: string;
  session: string;
  disposableSessions: string[];
  resetCookie: string;
  cedulas: string[];
  mailIds: string[];
}

export type Route = {
  name: string;
  method: string;
  url: (g: Gen) => string;
  body: 'none' | 'form' | 'json';
  fields?: string[];
  csrf?: boolean;
  session?: 'main' | 'disposable';
  reset?: boolean;
  bearer?: boolean;
};

const HUGE = new Map<string, string>();
const ENCODED = new Map<string, string>();

export class Gen {
  constructor(readonly rng: Rng, readonly fx: Fixtures) {}

  huge(): string {
    const unit = this.rng.pick(['A', 'é', '<script>alert(1)</script>', "' OR 1=1 --", '\u0000', '💥', '9']);
    const target = this.rng.pick([1_000, 10_000, 40_000, 70_000, 100_000]);
    const key = `${unit}:${target}`;
    // The same few huge strings over and over: making them anew each time only feeds the garbage collector.
    let text = HUGE.get(key);
    if (text === undefined) HUGE.set(key, (text = unit.repeat(Math.ceil(target / unit.length)).slice(0, target)));
    return text;
  }

  /** A hostile string of any kind. */
  str(): string {
    const r = this.rng.int(100);
    if (r < 4) return this.huge();
    if (r < 10) return '';
    if (r < 12) return ' '.repeat(this.rng.between(1, 50));
    if (r < 30) return this.rng.pick(MARKUP);
    if (r < 42) return this.rng.pick(SQL);
    if (r < 56) return this.rng.pick(CONTROL);
    if (r < 62) return this.rng.pick(PROTO);
    if (r < 70) return this.rng.pick(NUMBERISH);
    if (r < 74) return this.rng.pick(TRAVERSAL);
    if (r < 80) return this.rng.pick(PERCENT_JUNK);
    if (r < 90) return `${this.str()}${this.str()}`.slice(0, 5_000);
    return Array.from({ length: this.rng.between(1, 80) }, () => String.fromCharCode(this.rng.int(0x3000))).join('');
  }

  jsonValue(depth = 0): unknown {
    const r = this.rng.int(100);
    if (r < 40 || depth > 3) return this.str();
    if (r < 52) return this.rng.pick([0, -1, 1.5, 1e308, -1e308, Number.MAX_SAFE_INTEGER + 2, 31, 12, 2_147_483_648]);
    if (r < 60) return this.rng.pick([true, false]);
    if (r < 68) return null;
    if (r < 80) return Array.from({ length: this.rng.int(4) }, () => this.jsonValue(depth + 1));
    if (r < 92) return Object.fromEntries(Array.from({ length: this.rng.int(4) }, () => [this.rng.chance(0.3) ? this.rng.pick(PROTO) : this.str().slice(0, 40), this.jsonValue(depth + 1)]));
    // Deep nesting.
    let value: unknown = this.str();
    for (let i = 0, n = this.rng.pick([50, 500, 2_000]); i < n; i++) value = this.rng.chance(0.5) ? [value] : { a: value };
    return value;
  }

  token(): string {
    const r = this.rng.int(10);
    if (r === 0) return this.fx.linkToken;
    if (r === 1) return this.fx.disavowToken;
    if (r < 5) return Array.from({ length: 43 }, () => this.rng.pick([...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'])).join('');
    return this.str();
  }

  flowId(): string {
    const r = this.rng.int(10);
    if (r < 4 && this.fx.flows.length > 0) return this.rng.pick(this.fx.flows).id;
    if (r < 6) return '00000000-0000-4000-8000-' + String(this.rng.int(1e12)).padStart(12, '0');
    if (r === 6) return 'x'.repeat(this.rng.pick([199, 200, 201, 5_000]));
    return this.pathSegment(this.str());
  }

  /** A value for a known field: often realistic (so requests reach deep), often hostile. */
  field(name: string): string {
    if (this.rng.chance(0.45)) return this.str();
    switch (name) {
      case 'cedula':
        return this.rng.pick([...this.fx.cedulas, UNKNOWN_CEDULA, ` ${UNKNOWN_CEDULA.slice(0, 2)}-${UNKNOWN_CEDULA.slice(2)} `, '1710034066', '0000000000', '17100340651']);
      case 'altcha':
      case 'captcha':
        return this.rng.chance(0.5) && this.fx.captchas.length > 0
          ? this.rng.pick(this.fx.captchas)
          : Buffer.from(JSON.stringify({ challenge: { parameters: this.jsonValue(), signature: this.str() }, solution: this.jsonValue() })).toString('base64');
      case 'kind':
        return this.rng.pick(['generate', 'recover', 'unlock', 'GENERATE', 'none', '__proto__']);
      case 'birthDay':
        return this.rng.pick(['1', '31', '0', '32', '07', '15', '1e1', '-1', ' 9 ']);
      case 'birthMonth':
        return this.rng.pick(['1', '12', '0', '13', '06', '2.0']);
      case 'token':
        return this.token();
      case 'password':
      case 'confirmation':
      case 'current':
      case 'clave':
        return this.rng.pick([STRONG, 'corta', 'a'.repeat(2_000), 'Contraseña-Larga-2024', '', 'aaaaaaaaaaaaaaaaaaaaaaaa']);
      default:
        if (this.fx.flows.length > 0 && this.rng.chance(0.5)) return this.rng.pick(this.rng.pick(this.fx.flows).questions.flatMap((q) => q.options)) ?? this.str();
        return this.str();
    }
  }

  /** A path segment: encoded, or raw bytes the router must survive. */
  pathSegment(value: string): string {
    if (this.rng.chance(0.15)) return this.rng.pick(PERCENT_JUNK);
    return encodeLoosely(value);
  }

  query(keys: string[]): string {
    const pairs: string[] = [];
    for (const key of keys) if (this.rng.chance(0.7)) pairs.push(`${key}=${encodeLoosely(this.field(key))}`);
    if (this.rng.chance(0.2)) pairs.push(`${keys[0] ?? 'q'}=${encodeLoosely(this.field(keys[0] ?? 'q'))}`);
    if (this.rng.chance(0.15)) pairs.push(`lang=${this.rng.pick(['en', 'es', 'EN', '__proto__', '<script>alert(1)</script>', ''])}`);
    if (this.rng.chance(0.15)) pairs.push(`${encodeLoosely(this.rng.pick(PROTO))}=${encodeLoosely(this.str())}`);
    if (this.rng.chance(0.08)) pairs.push(this.rng.pick(PERCENT_JUNK), '&&=&', 'a[b][c]=1', 'x=' + 'y'.repeat(this.rng.pick([1_000, 30_000, 60_000])));
    if (this.rng.chance(0.05)) pairs.push('huge=' + encodeLoosely(this.huge()).slice(0, 90_000));
    return pairs.length > 0 ? `?${pairs.join('&')}` : this.rng.chance(0.5) ? '?' : '';
  }
}

/** percent-encodes anything, lone surrogates included (as the bytes a broken client would send). */
export function encodeLoosely(value: string): string {
  if (value.length < 1_000) return encodeAnything(value);
  let encoded = ENCODED.get(value);
  if (encoded === undefined) ENCODED.set(value, (encoded = encodeAnything(value)));
  return encoded;
}

function encodeAnything(value: string): string {
  try {
    return encodeURIComponent(value);
  } catch {
    return [...value].map((ch) => {
      try {
        return encodeURIComponent(ch);
      } catch {
        const code = ch.charCodeAt(0);
        return `%${(0xe0 | (code >> 12)).toString(16)}%${(0x80 | ((code >> 6) & 0x3f)).toString(16)}%${(0x80 | (code & 0x3f)).toString(16)}`;
      }
    }).join('');
  }
}
