import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { performance } from 'node:perf_hooks';
import { Writable } from 'node:stream';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { backends } from '../support/backends.ts';
import { startTestClave, type TestClave } from '../support/clave.ts';
import { apiCaptcha, birthOf, correctAnswers, giveClave, loadDemoRegistry, mailedToken, UNKNOWN_CEDULA } from '../support/journey.ts';
import { csrfToken, PageClient } from '../support/browserless.ts';
import { createLogger } from '../../src/adapters/logger.ts';
import { demoAffiliate, type DemoAffiliate } from '../../src/adapters/registry/demo-registry.ts';
import { cedulaCheckDigit } from '../../src/domain/cedula.ts';
import { isErrorCode } from '../../src/domain/errors.ts';
import { DEMO_AFFILIATES } from '../../src/demo.ts';

/**
 * Hostile input across every route: thousands of generated requests (empty, huge, wrong
 * types, markup, SQL fragments, control characters, invalid UTF-8, duplicated fields,
 * wrong content types, header abuse). No answer may be a 5xx, every refusal is a clear
 * catalogue error (a JSON error for the API, a whole institute page otherwise), no stack
 * or raw markup ever comes back, nothing is left unhandled, and the process is healthy
 * afterwards. Registry data with markup is shown escaped on pages and in e-mails.
 *
 * Reproduce a failure with the printed seed: CLAVE_FUZZ_SEED=<seed> node scripts/run-tests.js test/security/hostile-input.test.ts
 * (CLAVE_FUZZ_REQUESTS=<n> changes the number of generated requests).
 */

const SEED = Number(process.env.CLAVE_FUZZ_SEED ?? 20_240_611) >>> 0;
const REQUESTS = Number(process.env.CLAVE_FUZZ_REQUESTS ?? 10_400);
const CONCURRENCY = 8;
const BODY_LIMIT = 64 * 1024;
const INSTITUTE = 'Instituto de Prueba';
const STRONG = 'tigre-Nube-87-calle';

// ---------------------------------------------------------------------------------------
// Deterministic generation

/** mulberry32: the same sequence for the same seed on every machine. */
class Rng {
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
const RAW_MARKUP = ['<script>alert', '<svg/onload', '<img src=x', '<iframe', '"\'>', '"\'&gt;', '"&#39;&gt;', "&quot;'&gt;", '"&#39;>', "&quot;'>"];
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
const PROTO = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf', '__defineGetter__'];
const NUMBERISH = ['0', '-1', '1e309', 'NaN', 'Infinity', '99999999999999999999', '0x1f', '1.5', '07', ' 7 ', '+3', '٣'];
const TRAVERSAL = ['../../package.json', '..\\..\\package.json', '%2e%2e%2fpackage.json', '/etc/passwd', '....//....//package.json', '.env'];
const INVALID_UTF8 = [Buffer.from([0xff]), Buffer.from([0xc3, 0x28]), Buffer.from([0xa0, 0xa1]), Buffer.from([0xe2, 0x28, 0xa1]), Buffer.from([0xf0, 0x90, 0x28, 0xbc]), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from([0xfe, 0xfe, 0xff, 0xff]), Buffer.from([0xc0, 0xaf])];
const PERCENT_JUNK = ['%', '%z', '%zz', '%C3%28', '%FF', '%ED%A0%80', '%00', '%%', '%u0041', '%2'];

const JSON_TYPE = 'application/json';
const FORM_TYPE = 'application/x-www-form-urlencoded';
const ODD_TYPES = [
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
interface Fixtures {
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

type Route = {
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

class Gen {
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
function encodeLoosely(value: string): string {
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

// ---------------------------------------------------------------------------------------
// Every route

const withQuery = (path: string, keys: string[] = []) => (g: Gen) => path + g.query(keys);

const ROUTES: Route[] = [
  { name: 'GET /', method: 'GET', url: withQuery('/'), body: 'none' },
  { name: 'POST /', method: 'POST', url: withQuery('/'), body: 'form', fields: ['cedula'], csrf: true },
  ...['generar', 'recuperar', 'desbloquear'].flatMap((path): Route[] => [
    { name: `GET /clave/${path}`, method: 'GET', url: withQuery(`/clave/${path}`), body: 'none' },
    { name: `POST /clave/${path}`, method: 'POST', url: withQuery(`/clave/${path}`), body: 'form', fields: ['cedula', 'altcha'], csrf: true },
  ]),
  { name: 'GET /clave/flujo/:id/identidad', method: 'GET', url: (g) => `/clave/flujo/${g.flowId()}/identidad${g.query([])}`, body: 'none' },
  { name: 'POST /clave/flujo/:id/identidad', method: 'POST', url: (g) => `/clave/flujo/${g.flowId()}/identidad`, body: 'form', fields: ['birthDay', 'birthMonth', 'q1', 'q2', 'q3'], csrf: true },
  { name: 'GET /clave/revise-su-correo', method: 'GET', url: withQuery('/clave/revise-su-correo', ['tipo']), body: 'none' },
  { name: 'GET /clave/continuar', method: 'GET', url: withQuery('/clave/continuar', ['token']), body: 'none' },
  { name: 'POST /clave/continuar', method: 'POST', url: withQuery('/clave/continuar'), body: 'form', fields: ['token'], csrf: true },
  { name: 'GET /clave/nueva', method: 'GET', url: withQuery('/clave/nueva'), body: 'none', reset: true },
  { name: 'POST /clave/nueva', method: 'POST', url: withQuery('/clave/nueva'), body: 'form', fields: ['password', 'confirmation'], csrf: true, reset: true },
  { name: 'GET /clave/lista', method: 'GET', url: withQuery('/clave/lista'), body: 'none' },
  { name: 'GET /clave/no-fui-yo', method: 'GET', url: withQuery('/clave/no-fui-yo', ['token']), body: 'none' },
  { name: 'POST /clave/no-fui-yo', method: 'POST', url: withQuery('/clave/no-fui-yo'), body: 'form', fields: ['token'], csrf: true },
  { name: 'GET /ingresar', method: 'GET', url: withQuery('/ingresar'), body: 'none' },
  { name: 'POST /ingresar', method: 'POST', url: withQuery('/ingresar'), body: 'form', fields: ['cedula', 'clave'], csrf: true },
  { name: 'GET /cuenta', method: 'GET', url: withQuery('/cuenta', ['hecho']), body: 'none', session: 'main' },
  { name: 'GET /cuenta/clave', method: 'GET', url: withQuery('/cuenta/clave'), body: 'none', session: 'main' },
  { name: 'POST /cuenta/clave', method: 'POST', url: withQuery('/cuenta/clave'), body: 'form', fields: ['current', 'password', 'confirmation'], csrf: true, session: 'main' },
  { name: 'POST /cuenta/sesiones', method: 'POST', url: withQuery('/cuenta/sesiones'), body: 'form', fields: [], csrf: true, session: 'main' },
  { name: 'POST /salir', method: 'POST', url: withQuery('/salir'), body: 'form', fields: [], csrf: true, session: 'disposable' },
  { name: 'GET /ayuda/errores', method: 'GET', url: withQuery('/ayuda/errores', ['q']), body: 'none' },
  { name: 'GET /captcha/desafio', method: 'GET', url: withQuery('/captcha/desafio'), body: 'none' },
  { name: 'GET /dev/correo', method: 'GET', url: withQuery('/dev/correo'), body: 'none' },
  { name: 'GET /dev/correo/:id', method: 'GET', url: (g) => `/dev/correo/${g.rng.chance(0.3) && g.fx.mailIds.length ? g.rng.pick(g.fx.mailIds) : g.pathSegment(g.str())}`, body: 'none' },
  { name: 'GET /dev/correo/:id/html', method: 'GET', url: (g) => `/dev/correo/${g.rng.chance(0.3) && g.fx.mailIds.length ? g.rng.pick(g.fx.mailIds) : g.pathSegment(g.str())}/html`, body: 'none' },
  { name: 'GET /healthz', method: 'GET', url: withQuery('/healthz'), body: 'none' },
  { name: 'GET /readyz', method: 'GET', url: withQuery('/readyz'), body: 'none' },
  { name: 'GET /metrics', method: 'GET', url: withQuery('/metrics'), body: 'none' },
  {
    name: 'GET /assets/*',
    method: 'GET',
    url: (g) =>
      g.rng.pick([
        '/assets/build/clave.css',
        '/assets/favicon.svg',
        '/assets/js-enabled.js',
        '/assets/govuk/govuk-frontend.min.js',
        '/assets/govuk/../package.json',
        '/assets/altcha/altcha.js',
        '/assets/altcha/workers/sha.js',
        `/assets/altcha/${g.pathSegment(g.str())}`,
        `/assets/govuk/${g.pathSegment(g.str())}`,
        `/assets/${g.pathSegment(g.rng.pick(TRAVERSAL))}`,
        `/assets/..%2f..%2fpackage.json`,
        `/assets/%2e%2e/%2e%2e/package.json`,
        `/assets/build/${g.pathSegment(g.str())}`,
        `/assets/${'a/'.repeat(g.rng.between(1, 400))}`,
      ]) + g.query([]),
    body: 'none',
  },
  { name: 'GET /api/v1/openapi.json', method: 'GET', url: withQuery('/api/v1/openapi.json'), body: 'none' },
  { name: 'POST /api/v1/captcha', method: 'POST', url: withQuery('/api/v1/captcha'), body: 'json', fields: [] },
  { name: 'POST /api/v1/flows', method: 'POST', url: withQuery('/api/v1/flows'), body: 'json', fields: ['kind', 'cedula', 'captcha'] },
  { name: 'POST /api/v1/flows/:id/identity', method: 'POST', url: (g) => `/api/v1/flows/${g.flowId()}/identity`, body: 'json', fields: ['birthDay', 'birthMonth', 'answers'] },
  { name: 'POST /api/v1/tokens/redeem', method: 'POST', url: withQuery('/api/v1/tokens/redeem'), body: 'json', fields: ['token'] },
  { name: 'POST /api/v1/flows/:id/password', method: 'POST', url: (g) => `/api/v1/flows/${g.flowId()}/password`, body: 'json', fields: ['password', 'confirmation'], bearer: true },
  { name: 'POST /api/v1/sessions', method: 'POST', url: withQuery('/api/v1/sessions'), body: 'json', fields: ['cedula', 'password'] },
  { name: 'GET /api/v1/errors/:code', method: 'GET', url: (g) => `/api/v1/errors/${g.rng.chance(0.3) ? g.rng.pick(['CLV-010', 'clv-050', 'CLV-999', 'CLV-0']) : g.pathSegment(g.str())}${g.query([])}`, body: 'none' },
  { name: 'GET /api/v1/errors', method: 'GET', url: withQuery('/api/v1/errors', ['q']), body: 'none' },
  {
    name: 'unknown path',
    method: 'GET',
    url: (g) =>
      g.rng.pick([
        `/${g.pathSegment(g.str())}`,
        `/api/v1/${g.pathSegment(g.str())}`,
        `/api/v2/flows`,
        `/clave/${g.pathSegment(g.str())}`,
        `/clave/flujo/${g.flowId()}`,
        `/cuenta/${g.pathSegment(g.str())}`,
        '//',
        '/.env',
        '/wp-admin/',
        '/%2e%2e/%2e%2e/etc/passwd',
        `/${'x'.repeat(g.rng.pick([10, 1_000, 50_000]))}`,
        `/api/v1/flows/${g.flowId()}`,
      ]) + g.query(['q', 'token']),
    body: 'none',
  },
];

// ---------------------------------------------------------------------------------------
// Requests

interface Generated {
  route: Route;
  options: InjectOptions;
  payloadLength: number;
}

function cookieHeader(g: Gen, route: Route, csrfSecret: string | undefined): string | undefined {
  const parts: string[] = [];
  if (csrfSecret !== undefined) parts.push(`clave_csrf=${csrfSecret}`);
  if (route.session === 'main' && g.rng.chance(0.7)) parts.push(`clave_sesion=${g.fx.session}`);
  else if (route.session === 'disposable' && g.rng.chance(0.7) && g.fx.disposableSessions.length > 0) parts.push(`clave_sesion=${g.fx.disposableSessions.shift()!}`);
  else if (g.rng.chance(0.1)) parts.push(`clave_sesion=${encodeLoosely(g.str()).slice(0, 4_000)}`);
  if (route.reset && g.rng.chance(0.7)) parts.push(`clave_reset=${g.fx.resetCookie}`);
  else if (g.rng.chance(0.08)) parts.push(`clave_reset=${g.rng.pick(['.', 'a.', '.b', `${g.fx.flows[0]?.id}.${'A'.repeat(43)}`, encodeLoosely(g.str()).slice(0, 4_000)])}`);
  if (g.rng.chance(0.1)) parts.push(`lang=${g.rng.pick(['en', 'es', 'xx', '%3Cscript%3E', '__proto__'])}`);
  if (g.rng.chance(0.05)) parts.push(`big=${'z'.repeat(g.rng.pick([4_000, 30_000, 80_000]))}`);
  if (g.rng.chance(0.05)) parts.push(g.rng.pick(['=;;=', 'clave_csrf', 'clave_csrf=%E0%A4%A', 'a=b=c', '"quoted"="x"', '__proto__=1', 'clave_sesion=%00']));
  return parts.length > 0 ? parts.join('; ') : undefined;
}

function abusiveHeaders(g: Gen, route: Route): Record<string, string> {
  const headers: Record<string, string> = {};
  const printable = () => g.str().replace(/[^\u0020-\u007e\u00a0-\u00ff]/g, '?').slice(0, 8_000);
  if (route.bearer || g.rng.chance(0.1)) {
    headers.authorization = g.rng.pick([
      `Bearer ${g.token().replace(/[^\u0020-\u007e]/g, '?')}`,
      'Bearer',
      'Bearer ',
      `Bearer ${'A'.repeat(129)}`,
      `Basic ${Buffer.from('admin:admin').toString('base64')}`,
      `bearer ${'A'.repeat(43)}`,
      `Bearer ${'A'.repeat(43)} extra`,
      printable(),
    ]);
  }
  if (g.rng.chance(0.15)) headers['accept-language'] = g.rng.pick(['es-EC,es;q=0.9', 'en;q=abc', '*;q=-1', 'xx-YY-ZZ-12345678,,,;', printable(), 'a'.repeat(10_000)]);
  if (g.rng.chance(0.1)) headers['user-agent'] = printable();
  if (g.rng.chance(0.05)) headers['x-forwarded-for'] = g.rng.pick(['1.2.3.4', 'not-an-ip', '::ffff:1.1.1.1, 2.2.2.2', printable()]);
  if (g.rng.chance(0.05)) headers.accept = g.rng.pick(['application/json', 'text/html', '*/*;q=0', printable()]);
  if (g.rng.chance(0.03)) headers['x-request-id'] = printable();
  return headers;
}

/** The body: fields with hostile or realistic values, CSRF half the time, any content type. */
function bodyFor(g: Gen, route: Route, csrfToken: string | undefined): { payload?: string | Buffer; contentType?: string } {
  const fields = route.fields ?? [];
  const r = g.rng.int(100);
  const wantJson = route.body === 'json' ? r < 70 : r >= 75 && r < 85;
  const contentType = route.body === 'json'
    ? (r < 70 ? JSON_TYPE : r < 80 ? FORM_TYPE : g.rng.chance(0.2) ? undefined : g.rng.pick(ODD_TYPES))
    : (r < 75 ? FORM_TYPE : r < 85 ? JSON_TYPE : g.rng.chance(0.2) ? undefined : g.rng.pick(ODD_TYPES));
  const shape = g.rng.int(100);
  if (shape < 5) return { contentType }; // no body at all
  if (shape < 9) return { payload: '', contentType };
  if (shape < 13) return { payload: g.huge(), contentType };
  if (shape < 20) {
    // Invalid UTF-8 in the middle of a field.
    const field = fields.length > 0 ? g.rng.pick(fields) : 'x';
    const bad = Buffer.concat(Array.from({ length: g.rng.between(1, 4) }, () => g.rng.pick(INVALID_UTF8)));
    const csrfPart = csrfToken ? (wantJson ? `,"_csrf":"${csrfToken}"` : `&_csrf=${csrfToken}`) : '';
    return wantJson
      ? { payload: Buffer.concat([Buffer.from(`{"${field}":"`), bad, Buffer.from(`"${csrfPart}}`)]), contentType }
      : { payload: Buffer.concat([Buffer.from(`${field}=`), bad, Buffer.from(csrfPart)]), contentType };
  }
  if (wantJson) {
    if (shape < 27) return { payload: g.rng.pick(['{', '{"a":', '[1,2', '{"kind":"recover",}', "{'a':1}", 'nul', '\ufeff{}', '{"a":1}{"b":2}', '{"__proto__":{"x":1}}', '{"constructor":{"prototype":{"x":1}}}', '{"birthDay":1e999}', '"just a string"', '12', 'null', 'true', '[]']), contentType };
    if (shape < 32) return { payload: JSON.stringify(g.jsonValue()), contentType };
    const body: Record<string, unknown> = {};
    for (const field of fields) if (g.rng.chance(0.8)) body[field] = g.rng.chance(0.5) ? g.field(field) : g.jsonValue();
    if (fields.includes('answers') && g.rng.chance(0.5) && g.fx.flows.length > 0) {
      const flow = g.rng.pick(g.fx.flows);
      body.answers = Object.fromEntries(flow.questions.map((q) => [q.id, g.rng.chance(0.7) ? g.rng.pick(q.options) : g.jsonValue()]));
    }
    if (g.rng.chance(0.15)) body[g.rng.pick(PROTO)] = g.jsonValue();
    if (csrfToken) body._csrf = g.rng.chance(0.9) ? csrfToken : g.rng.pick([[csrfToken, csrfToken], { a: csrfToken }, 1, null]);
    else if (g.rng.chance(0.2)) body._csrf = g.jsonValue();
    let text = JSON.stringify(body);
    // Duplicated keys: JSON.parse keeps the last one.
    if (g.rng.chance(0.1) && fields.length > 0) text = text.replace(/^\{/, `{"${g.rng.pick(fields)}":${JSON.stringify(g.jsonValue())},`).replace('{,', '{');
    return { payload: text, contentType };
  }
  if (shape < 27) return { payload: g.rng.pick([...PERCENT_JUNK, '&&&', '=', '==&==', 'a', '_csrf', '_csrf=', '_csrf[]=1', 'a[b]=1&a[c]=2', '__proto__[x]=1', 'constructor[prototype][x]=1']), contentType };
  const pairs: string[] = [];
  for (const field of fields) {
    if (!g.rng.chance(0.8)) continue;
    pairs.push(`${field}=${encodeLoosely(g.field(field))}`);
    if (g.rng.chance(0.12)) pairs.push(`${field}=${encodeLoosely(g.field(field))}`); // duplicated field
  }
  if (fields.some((f) => f.startsWith('q')) && g.fx.flows.length > 0 && g.rng.chance(0.5)) {
    const flow = g.rng.pick(g.fx.flows);
    for (const q of flow.questions) pairs.push(`${encodeURIComponent(q.id)}=${encodeLoosely(g.rng.chance(0.7) ? g.rng.pick(q.options) : g.str())}`);
  }
  if (g.rng.chance(0.1)) pairs.push(`${encodeLoosely(g.rng.pick(PROTO))}=${encodeLoosely(g.str())}`);
  if (g.rng.chance(0.05)) pairs.push(g.rng.pick(PERCENT_JUNK));
  if (csrfToken) {
    pairs.push(`_csrf=${csrfToken}`);
    if (g.rng.chance(0.08)) pairs.push(`_csrf=${g.rng.chance(0.5) ? csrfToken : 'x'}`); // duplicated token
  } else if (g.rng.chance(0.2)) pairs.push(`_csrf=${encodeLoosely(g.str()).slice(0, 2_000)}`);
  const shuffled = g.rng.chance(0.3) ? pairs.reverse() : pairs;
  return { payload: shuffled.join(g.rng.chance(0.05) ? ';' : '&'), contentType };
}

function generate(g: Gen): Generated {
  const route = g.rng.pick(ROUTES);
  let method = route.method;
  if (g.rng.chance(0.04)) method = g.rng.pick(['PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD', route.method === 'GET' ? 'POST' : 'GET']);
  let url = route.url(g);
  // (`//` alone or `/\` cannot even be parsed by inject: those go over a raw socket below.)
  if (g.rng.chance(0.02) && url.length > 1 && !url.startsWith('/?')) url = url.replace(/^\//, g.rng.pick(['//', '/./', '/%2F', '/%2e/']));
  const csrf = route.csrf && g.rng.chance(0.5) ? g.rng.pick(g.fx.csrf) : undefined;
  // Without the pair, sometimes half of it or a forgery.
  const csrfSecret = csrf?.secret ?? (route.csrf && g.rng.chance(0.3) ? g.rng.pick([g.fx.csrf[0]!.secret, 'forged', encodeLoosely(g.str()).slice(0, 200)]) : undefined);
  const token = csrf?.token ?? (route.csrf && g.rng.chance(0.2) ? g.rng.pick([g.fx.csrf[0]!.token, 'forged-token']) : undefined);
  const headers: Record<string, string> = abusiveHeaders(g, route);
  const cookie = cookieHeader(g, route, csrfSecret);
  if (cookie !== undefined) headers.cookie = cookie;
  let payload: string | Buffer | undefined;
  const sendsBody = method === 'POST' || method === 'PUT' || method === 'PATCH' || (route.body !== 'none' ? false : g.rng.chance(0.03));
  if (sendsBody) {
    const body = route.body === 'none' ? { payload: JSON.stringify(g.jsonValue()), contentType: g.rng.pick([JSON_TYPE, FORM_TYPE, 'text/plain']) } : bodyFor(g, route, token);
    payload = body.payload;
    if (body.contentType !== undefined) headers['content-type'] = body.contentType;
  } else if (g.rng.chance(0.05)) {
    headers['content-type'] = g.rng.pick(ODD_TYPES);
  }
  const options: InjectOptions = { method: method as InjectOptions['method'], url, headers, ...(payload !== undefined ? { payload } : {}) };
  return { route, options, payloadLength: payload === undefined ? 0 : Buffer.byteLength(payload) };
}

function describeRequest(index: number, request: Generated): string {
  const cut = (text: string, n: number) => (text.length > n ? `${text.slice(0, n)}…(${text.length} chars)` : text);
  const { options } = request;
  const payload = options.payload;
  const shown = payload === undefined ? undefined : Buffer.isBuffer(payload) ? `hex:${cut(payload.toString('hex'), 400)}` : cut(String(payload), 400);
  const headers = Object.fromEntries(Object.entries((options.headers ?? {}) as Record<string, string>).map(([k, v]) => [k, cut(String(v), 200)]));
  return JSON.stringify({ seed: SEED, index, route: request.route.name, method: options.method, url: cut(String(options.url), 400), headers, payload: shown });
}

// ---------------------------------------------------------------------------------------
// What every answer must look like

/** The `code` of Fastify's own error answer (`{"error":"Bad Request","code":"FST_…"}`), if that is what came back. */
function frameworkCode(body: string): string | undefined {
  return /"code":"(FST_[A-Z_]+)"/.exec(body)?.[1];
}

const STACK = /\bat (?:async )?\S*\s*\(?(?:file:\/\/)?\/[^\s)]+\.(?:ts|js|mjs|cjs):\d+/;
const API_CODES = new Set(['bad_request', 'not_found']);

function problemsWith(request: Generated, response: LightMyRequestResponse): string[] {
  const problems: string[] = [];
  const status = response.statusCode;
  const seenUrl = String((response.raw.req as { url?: string }).url ?? request.options.url);
  const method = String(request.options.method);
  const type = String(response.headers['content-type'] ?? '');
  const body = method === 'HEAD' ? '' : response.body;
  if (status >= 500) problems.push(`status ${status}`);
  if (request.payloadLength > BODY_LIMIT && method === 'POST' && !(status >= 400 && status < 500)) problems.push(`a ${request.payloadLength}-byte body got ${status}, not a 4xx`);
  const isText = type.startsWith('text/html') || type.startsWith('application/json');
  if (isText && (STACK.test(body) || body.includes('/work/') || body.includes('node_modules'))) problems.push('a stack trace or file path in the body');
  if (type.startsWith('text/html')) {
    for (const canary of RAW_MARKUP) if (body.includes(canary)) problems.push(`raw markup ${JSON.stringify(canary)} in an HTML body`);
    if (/(?:href|action|src)="(?:\/\/|\/\\|[a-z]+:)/i.test(body.replace(/(?:href|action|src)="https?:\/\/localhost:\d+\//g, ''))) problems.push('a link or form leading off the portal');
  }
  if (/package\.json|passwd|\.env/.test(seenUrl) && status < 300 && /"devDependencies"|root:|SECRET_KEY=/.test(body)) problems.push('a file outside the assets was served');
  if (status >= 300 && status < 400) {
    const location = String(response.headers.location ?? '');
    if (!location.startsWith('/') || location.startsWith('//') || location.startsWith('/\\')) problems.push(`redirect to ${JSON.stringify(location)}`);
  }
  if (status >= 400 && method !== 'HEAD') {
    if (seenUrl.startsWith('/api/')) {
      let error: { code?: unknown; message?: unknown } | undefined;
      try {
        error = (JSON.parse(body) as { error?: { code?: unknown; message?: unknown } }).error;
      } catch {
        error = undefined;
      }
      if (!type.startsWith('application/json') || !error) problems.push(`API refusal is not { error: { code, message } } (${frameworkCode(body) ?? type})`);
      else {
        if (!(isErrorCode(error.code) || (typeof error.code === 'string' && API_CODES.has(error.code)))) problems.push(`API error code ${JSON.stringify(error.code)} is not in the catalogue`);
        if (typeof error.message !== 'string' || error.message.length === 0) problems.push('API error without a message');
      }
    } else if (!/^\/(healthz|readyz|metrics)(\?|$)/.test(seenUrl)) {
      if (!type.startsWith('text/html') || !body.includes('<html') || !body.includes('clave-header') || !body.includes(INSTITUTE)) {
        problems.push(`refusal is not a whole institute page (${frameworkCode(body) ?? type})`);
      }
    }
  }
  return problems;
}

/** One request over a real socket, byte for byte (inject normalises paths, a real client need not). */
function rawHttp(port: number, request: string | Buffer): Promise<{ status: number; head: string; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.setTimeout(10_000, () => socket.destroy(new Error('raw request timed out')));
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const [head = '', body = ''] = text.split('\r\n\r\n', 2) as [string?, string?];
      resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0), head, body: text.slice(head.length + 4) || body });
    });
    socket.write(request);
  });
}

// ---------------------------------------------------------------------------------------

/** A valid cédula that no demo person has: province 17, then digits from `n`. */
function freshCedula(n: number): string {
  const nine = `17${String(9_900_000 + n).padStart(7, '0')}`;
  return `${nine}${cedulaCheckDigit(nine)}`;
}

/** Verified demo people with an e-mail and two or more employers, beyond the showcase three. */
function verifiedDemoPeople(count: number): DemoAffiliate[] {
  const people: DemoAffiliate[] = [];
  for (let i = 0; i < DEMO_AFFILIATES && people.length < count; i++) {
    const person = demoAffiliate(i);
    if (person.affiliate.datosVerificados && person.affiliate.correo && person.employment.length >= 2) people.push(person);
  }
  assert.equal(people.length, count, 'the demo registry has too few verified people');
  return people;
}

describe('hostile input on every route', { timeout: 300_000 }, () => {
  let clave: TestClave;
  const logLines: string[] = [];
  const unhandled: string[] = [];
  const onRejection = (reason: unknown) => unhandled.push(`unhandledRejection: ${(reason as Error)?.stack ?? String(reason)}`);
  const onException = (error: Error) => unhandled.push(`uncaughtException: ${error.stack ?? String(error)}`);
  const sink = new Writable({
    write(chunk, _encoding, done) {
      logLines.push(String(chunk));
      done();
    },
  });

  /** Error lines from the app's log, with the request and stack they carry. */
  function errorLogs(): string[] {
    return logLines
      .flatMap((line) => line.split('\n').filter(Boolean))
      .map((line) => JSON.parse(line) as { level: number; msg?: string; req?: { url?: string; method?: string }; err?: { stack?: string; message?: string }; reqId?: string })
      .filter((entry) => entry.level >= 50)
      .map((entry) => `${entry.msg} ${entry.reqId ?? ''} ${entry.req ? `${entry.req.method} ${entry.req.url}` : ''}\n${entry.err?.stack ?? entry.err?.message ?? JSON.stringify(entry)}`);
  }

  /** The same failure logged many times is shown once, with its count and first stack. */
  function groupedErrorLogs(): string[] {
    const groups = new Map<string, { count: number; example: string }>();
    for (const line of errorLogs()) {
      const [, ...rest] = line.split('\n');
      const key = rest.slice(0, 3).join('\n');
      const group = groups.get(key) ?? { count: 0, example: line };
      group.count++;
      groups.set(key, group);
    }
    return [...groups.values()].map((g) => `(${g.count}×) ${g.example}`);
  }

  const xss = {
    name: '<script>alert(1)</script> Ana',
    surname: '"\'><img src=x onerror=alert(1)>',
    employer: '<script>alert(2)</script> Comercial S.A.',
    employer2: 'Fábrica "\'><img src=x onerror=alert(3)> Cía. Ltda.',
    agent: '<script>alert(4)</script> Navegador "\'><img src=x onerror=alert(5)>',
  };
  const xssCedula = freshCedula(1);
  const xssPerson: DemoAffiliate = {
    affiliate: { cedula: xssCedula, nombres: xss.name, apellidos: xss.surname, fechaNacimiento: '1985-03-14', correo: 'marcado.prueba@example.com', celular: null, datosVerificados: true },
    employment: [
      { cedula: xssCedula, rucEmpleador: '1799999990001', empleador: xss.employer, fechaInicio: '2008-02-01', fechaFin: '2015-06-30' },
      { cedula: xssCedula, rucEmpleador: '1799999991001', empleador: xss.employer2, fechaInicio: '2015-07-01', fechaFin: null },
    ],
  };

  before(async () => {
    process.on('unhandledRejection', onRejection);
    process.on('uncaughtException', onException);
    clave = await startTestClave(backends()[0]!, { CAPTCHA_MAX_NUMBER: '1000', LOGIN_ATTEMPTS_PER_IP: '100000' }, { logger: createLogger('warn', sink) });
    await loadDemoRegistry(clave);
    await clave.registry.upsertAffiliates([xssPerson.affiliate]);
    await clave.registry.upsertEmployment(xssPerson.employment);
  });

  after(async () => {
    process.off('unhandledRejection', onRejection);
    process.off('uncaughtException', onException);
    await clave?.dispose();
  });

  test('markup in registry data is shown escaped on pages and in every e-mail', async () => {
    const escapedName = '&lt;script&gt;alert(1)&lt;/script&gt;';
    const assertNoRawMarkup = (where: string, html: string) => {
      for (const canary of RAW_MARKUP) assert.ok(!html.includes(canary), `${where} shows raw markup ${canary}:\n${html.slice(Math.max(0, html.indexOf(canary) - 200), html.indexOf(canary) + 200)}`);
    };
    const browser = new PageClient(clave.web);

    // Step 1 and 2 in the pages: the identity page lists this person's employers.
    const start = await browser.submit('/clave/generar', { cedula: xssCedula, altcha: await browser.captcha() });
    assert.equal(start.statusCode, 303, start.body);
    const identityUrl = String(start.headers.location);
    const identity = await browser.get(identityUrl);
    assert.equal(identity.statusCode, 200);
    assertNoRawMarkup('the identity page', identity.body);
    // Employer names offered as answers come from the registry too: escaped if shown at all.
    if (identity.body.includes('alert(2)')) assert.ok(identity.body.includes('&lt;script&gt;alert(2)&lt;/script&gt;'));

    // Wrong birth date: the failure notice (CLV-010) goes to the registered inbox.
    const wrongDay = birthOf(xssPerson).birthDay === 1 ? '2' : '1';
    const form = Object.fromEntries([...identity.body.matchAll(/name="(q[^"]*)"[^>]*value="([^"]+)"/g)].map((m) => [m[1]!, m[2]!]));
    const refused = await browser.post(identityUrl, { _csrf: csrfToken(identity.body), birthDay: wrongDay, birthMonth: '3', ...form });
    assert.equal(refused.statusCode, 303, refused.body.slice(0, 500));
    await clave.settle();
    const notice = clave.catcher!.list().find((mail) => mail.to.includes(xssPerson.affiliate.correo!));
    assert.ok(notice, 'a failure notice was mailed');

    // The whole journey again, right this time, through the API: a link, then the new clave and its notice.
    await giveClave(clave, xssPerson, STRONG);
    await clave.settle();
    const mails = clave.catcher!.list().filter((mail) => mail.to.includes(xssPerson.affiliate.correo!));
    assert.ok(mails.length >= 3, `notice, link and change notice mailed (got ${mails.length})`);
    for (const mail of mails) {
      assert.ok(mail.html, `${mail.subject} has an HTML part`);
      assert.ok(mail.html.includes(escapedName), `${mail.subject}: the name is shown escaped`);
      assertNoRawMarkup(`the mail "${mail.subject}"`, mail.html);
      assert.ok(!mail.html.includes('<script'), `${mail.subject} carries no script tag`);

      // The development mailbox shows it escaped too.
      const listed = await clave.web.inject({ method: 'GET', url: '/dev/correo' });
      assertNoRawMarkup('/dev/correo', listed.body);
      const page = await clave.web.inject({ method: 'GET', url: `/dev/correo/${mail.id}` });
      assert.equal(page.statusCode, 200);
      assertNoRawMarkup(`/dev/correo/${mail.id}`, page.body);
      assert.ok(page.body.includes(escapedName), '/dev/correo/:id shows the name escaped');
      const html = await clave.web.inject({ method: 'GET', url: `/dev/correo/${mail.id}/html` });
      assert.equal(html.statusCode, 200);
      assert.match(String(html.headers['content-security-policy']), /sandbox/);
      assertNoRawMarkup(`/dev/correo/${mail.id}/html`, html.body);
      assert.ok(html.body.includes(escapedName));
    }

    // Mi cuenta: the first name, and a session whose device name is markup.
    const apiLogin = await clave.web.inject({ method: 'POST', url: '/api/v1/sessions', payload: { cedula: xssCedula, password: STRONG }, headers: { 'user-agent': xss.agent } });
    assert.equal(apiLogin.statusCode, 201, apiLogin.body);
    const signedIn = await browser.submit('/ingresar', { cedula: xssCedula, clave: STRONG });
    assert.equal(signedIn.statusCode, 303, signedIn.body.slice(0, 300));
    const account = await browser.get('/cuenta');
    assert.equal(account.statusCode, 200);
    assertNoRawMarkup('/cuenta', account.body);
    assert.ok(account.body.includes(escapedName), '/cuenta greets with the name escaped');
    assert.ok(account.body.includes('&lt;script&gt;alert(4)'), '/cuenta lists the marked-up device escaped');
  });

  test('a storm of generated requests: no 5xx, only catalogue errors, nothing unhandled', async () => {
    // Real ids, tokens, cookies and solved CAPTCHAs, so that requests reach the handlers.
    const [sessionPerson, disavowPerson, resetPerson, linkPerson, ...others] = verifiedDemoPeople(8) as [DemoAffiliate, DemoAffiliate, DemoAffiliate, DemoAffiliate, ...DemoAffiliate[]];
    await giveClave(clave, sessionPerson, STRONG);
    const login = async () => {
      const response = await clave.web.inject({ method: 'POST', url: '/api/v1/sessions', payload: { cedula: sessionPerson.affiliate.cedula, password: STRONG } });
      assert.equal(response.statusCode, 201, response.body);
      return (response.json() as { session: string }).session;
    };
    const session = await login();
    const disposableSessions: string[] = [];
    for (let i = 0; i < 6; i++) disposableSessions.push(await login());

    await giveClave(clave, disavowPerson, STRONG);
    await clave.settle();
    const changed = clave.catcher!.list().find((mail) => mail.to.includes(disavowPerson.affiliate.correo!) && /no-fui-yo\?token=/.test(mail.text));
    const disavowToken = /no-fui-yo\?token=([A-Za-z0-9_-]+)/.exec(changed?.text ?? '')?.[1];
    assert.ok(disavowToken, 'a "no fui yo" link was mailed');

    const post = (url: string, payload: object, headers: Record<string, string> = {}) => clave.web.inject({ method: 'POST', url, payload, headers });
    async function verifiedFlow(person: DemoAffiliate, kind: string) {
      const started = await post('/api/v1/flows', { kind, cedula: person.affiliate.cedula, captcha: await apiCaptcha(clave) });
      assert.equal(started.statusCode, 201, started.body);
      const { flowId } = started.json() as { flowId: string };
      const verified = await post(`/api/v1/flows/${flowId}/identity`, { ...birthOf(person), answers: await correctAnswers(clave, person) });
      assert.equal(verified.statusCode, 202, verified.body);
      return { flowId, token: await mailedToken(clave, person.affiliate.correo!) };
    }
    const reset = await verifiedFlow(resetPerson, 'generate');
    const redeemed = await post('/api/v1/tokens/redeem', { token: reset.token });
    assert.equal(redeemed.statusCode, 200, redeemed.body);
    const resetCookie = `${reset.flowId}.${(redeemed.json() as { resetToken: string }).resetToken}`;
    const { token: linkToken } = await verifiedFlow(linkPerson, 'generate');

    const flows: Fixtures['flows'] = [];
    const starters = [...others.map((p) => p.affiliate.cedula), UNKNOWN_CEDULA, freshCedula(2)];
    for (const [i, cedula] of starters.entries()) {
      const started = await post('/api/v1/flows', { kind: ['generate', 'recover', 'unlock'][i % 3], cedula, captcha: await apiCaptcha(clave) });
      assert.equal(started.statusCode, 201, started.body);
      const body = started.json() as { flowId: string; questions: { id: string; options: { id: string }[] }[] };
      flows.push({ id: body.flowId, questions: body.questions.map((q) => ({ id: q.id, options: q.options.map((o) => o.id) })) });
    }
    const captchas: string[] = [];
    for (let i = 0; i < 12; i++) captchas.push(await apiCaptcha(clave));
    const csrf: Fixtures['csrf'] = [];
    for (const page of ['/clave/generar', '/ingresar', '/clave/recuperar']) {
      const browser = new PageClient(clave.web);
      const response = await browser.get(page);
      csrf.push({ secret: browser.cookie('clave_csrf')!, token: csrfToken(response.body) });
    }
    const fx: Fixtures = {
      csrf,
      flows,
      captchas,
      linkToken,
      disavowToken,
      session,
      disposableSessions,
      resetCookie,
      // Never the session person's cédula: fuzzed logins must not lock the account the storm uses.
      cedulas: [disavowPerson, resetPerson, linkPerson, ...others].map((p) => p.affiliate.cedula).concat(xssCedula),
      mailIds: clave.catcher!.list().map((mail) => mail.id).slice(0, 10),
    };

    // The storm.
    const g = new Gen(new Rng(SEED), fx);
    const failures: string[] = [];
    const failureKinds = new Map<string, number>();
    const byClass: Record<string, number> = {};
    const byRoute = new Map<string, { count: number; statuses: Map<number, number>; ms: number }>();
    let maxLatency = 0;
    let slowest = '';
    const started = performance.now();
    let next = 0;
    async function worker(): Promise<void> {
      while (next < REQUESTS) {
        // Generated in index order whatever the interleaving: the same seed gives the same requests.
        const index = next++;
        const request = generate(g);
        const t0 = performance.now();
        let response: LightMyRequestResponse;
        try {
          response = await clave.web.inject(request.options);
        } catch (error) {
          failures.push(`inject threw ${(error as Error).stack}\n  request: ${describeRequest(index, request)}`);
          continue;
        }
        const latency = performance.now() - t0;
        if (latency > maxLatency) {
          maxLatency = latency;
          slowest = `${request.route.name} (#${index})`;
        }
        const cls = `${Math.floor(response.statusCode / 100)}xx`;
        byClass[cls] = (byClass[cls] ?? 0) + 1;
        const tally = byRoute.get(request.route.name) ?? { count: 0, statuses: new Map(), ms: 0 };
        tally.count++;
        tally.ms += latency;
        tally.statuses.set(response.statusCode, (tally.statuses.get(response.statusCode) ?? 0) + 1);
        byRoute.set(request.route.name, tally);
        const problems = problemsWith(request, response);
        if (problems.length > 0) {
          const kind = `${request.route.name}: ${problems[0]!.slice(0, 80)}`;
          failureKinds.set(kind, (failureKinds.get(kind) ?? 0) + 1);
          if (failureKinds.get(kind)! <= 2) failures.push(`${problems.join('; ')}\n  request: ${describeRequest(index, request)}\n  answer: ${response.statusCode} ${String(response.headers['content-type'] ?? '')} ${response.body.slice(0, 300)}`);
        }
      }
    }
    await Promise.all(Array.from({ length: CONCURRENCY }, () => worker()));

    // Byte-for-byte requests a real client can send and inject cannot: traversal and broken request lines.
    await clave.web.listen({ port: 0, host: '127.0.0.1' });
    const port = (clave.web.server.address() as { port: number }).port;
    const raw = [
      '/assets/../../package.json',
      '/assets/../../../../etc/passwd',
      '/assets/%2e%2e/%2e%2e/package.json',
      '/assets/..%2f..%2fpackage.json',
      '/assets/govuk/../../../package.json',
      '/assets/govuk/..%2f..%2f..%2fpackage.json',
      '/assets/altcha/../../../package.json',
      '/assets/altcha/..%2f..%2fpackage.json',
      '/assets/build/..%5c..%5cpackage.json',
      '/assets/%00',
      '/assets/%',
      '/clave/flujo/%/identidad',
      '/clave/flujo/%ZZ/identidad',
      '/dev/correo/%E0%A4%A',
      '/api/v1/errors/%',
      '/api/v1/errors/%C3%28',
      '/api/v1/flows/%/identity',
      '/ayuda/errores?q=%',
      '/%',
      '/api/v1/%zz',
      '//',
      '//?lang=en',
      '/\\',
      '/\\?lang=en',
      '//evil.example/ingresar',
      '///evil.example/',
      '/%2F%2Fevil.example/',
    ];
    let rawCount = 0;
    for (const path of raw) {
      for (const method of ['GET', 'POST']) {
        const body = method === 'POST' ? '{"a":1}' : '';
        const answer = await rawHttp(port, `${method} ${path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n${method === 'POST' ? `Content-Type: application/json\r\nContent-Length: ${body.length}\r\n` : ''}\r\n${body}`);
        rawCount++;
        const generated: Generated = { route: { name: `raw ${method}`, method, url: () => path, body: 'none' }, options: { method: method as InjectOptions['method'], url: path }, payloadLength: body.length };
        const type = /content-type: ([^\r\n]+)/i.exec(answer.head)?.[1] ?? '';
        const cls = `${Math.floor(answer.status / 100)}xx`;
        byClass[cls] = (byClass[cls] ?? 0) + 1;
        const problems = problemsWith(generated, {
          statusCode: answer.status,
          headers: { 'content-type': type, location: /location: ([^\r\n]+)/i.exec(answer.head)?.[1] },
          body: answer.body,
          raw: { req: { url: path } },
        } as unknown as LightMyRequestResponse);
        if (answer.status === 0) problems.push('no HTTP answer');
        if (problems.length > 0) failures.push(`${problems.join('; ')}\n  raw request: ${method} ${path}\n  answer: ${answer.head.split('\r\n')[0]} ${type} ${answer.body.slice(0, 300)}`);
      }
    }

    const elapsed = (performance.now() - started) / 1000;
    const total = REQUESTS + rawCount;
    const classes = Object.entries(byClass).sort().map(([k, v]) => `${k}=${v}`).join(' ');
    console.log(`hostile-input: seed=${SEED} requests=${total} ${classes} max-latency=${maxLatency.toFixed(0)}ms (${slowest}) in ${elapsed.toFixed(1)}s`);
    if (process.env.CLAVE_FUZZ_VERBOSE) {
      for (const [name, tally] of [...byRoute].sort()) console.log(`  ${name}: ${tally.count} (${(tally.ms / 1000).toFixed(1)}s) ${[...tally.statuses].sort((a, b) => a[0] - b[0]).map(([s, n]) => `${s}×${n}`).join(' ')}`);
    }

    // Nothing unhandled, nothing logged as a failure, no 5xx counted by the app itself.
    await clave.settle();
    const metrics = await clave.web.inject({ method: 'GET', url: '/metrics' });
    const fiveHundreds = [...metrics.body.matchAll(/^http_request_duration_seconds_count\{([^}]*status_code="5\d\d"[^}]*)\} (\d+)/gm)].filter((m) => Number(m[2]) > 0).map((m) => `${m[1]} ${m[2]}`);
    const report = [
      ...failures.map((f) => `• ${f}`),
      ...[...failureKinds].filter(([, n]) => n > 2).map(([kind, n]) => `• (${n} times in all) ${kind}`),
      ...unhandled.map((u) => `• ${u}`),
      ...groupedErrorLogs().map((line) => `• logged: ${line}`),
      ...fiveHundreds.map((line) => `• metrics: 5xx answered: ${line}`),
    ];
    assert.equal(report.length, 0, `seed ${SEED}: ${report.length} problems\n${report.join('\n')}`);

    // Every route was exercised, and the forms were reached past their CSRF check.
    assert.ok(total >= 10_000, `only ${total} requests`);
    for (const route of ROUTES) {
      const tally = byRoute.get(route.name);
      assert.ok(tally && tally.count >= 50, `${route.name} was sent only ${tally?.count ?? 0} requests`);
      if (route.csrf && route.method === 'POST') {
        const past = [...tally.statuses].filter(([status]) => status !== 403).reduce((sum, [, n]) => sum + n, 0);
        assert.ok(past > 0, `${route.name} never got past its CSRF check`);
      }
    }
    const reached = (name: string, status: number) => (byRoute.get(name)?.statuses.get(status) ?? 0) > 0;
    assert.ok(reached('GET /cuenta', 200), 'GET /cuenta was reached with a live session');
    assert.ok(reached('GET /clave/flujo/:id/identidad', 200), 'the identity page of a real flow was shown');
    assert.ok(reached('POST /api/v1/flows/:id/identity', 422), 'API identity refused a malformed form on a real flow');
  });

  test('after the storm the process is healthy and a normal journey still works', async () => {
    // The storm's own failures are reported above; this checks only what happens from here on.
    const errorsBeforeCheck = errorLogs().length;
    const health = await clave.web.inject({ method: 'GET', url: '/healthz' });
    assert.equal(health.statusCode, 200);
    const ready = await clave.web.inject({ method: 'GET', url: '/readyz' });
    assert.equal(ready.statusCode, 200, ready.body);
    const home = await clave.web.inject({ method: 'GET', url: '/' });
    assert.equal(home.statusCode, 200);
    assert.ok(home.body.includes(INSTITUTE));
    const captcha = await clave.web.inject({ method: 'POST', url: '/api/v1/captcha' });
    assert.equal(captcha.statusCode, 200, captcha.body);
    const browser = new PageClient(clave.web);
    const started = await browser.submit('/clave/recuperar', { cedula: UNKNOWN_CEDULA, altcha: await browser.captcha() });
    assert.equal(started.statusCode, 303, started.body.slice(0, 300));
    const identity = await browser.get(String(started.headers.location));
    assert.equal(identity.statusCode, 200);
    assert.equal(unhandled.length, 0, `nothing was left unhandled, yet:\n${unhandled.slice(0, 3).join('\n')}`);
    const errors = errorLogs().slice(errorsBeforeCheck);
    assert.equal(errors.length, 0, `${errors.length} error lines were logged, the first:\n${errors.slice(0, 2).join('\n')}`);
  });
});
