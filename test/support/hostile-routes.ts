import { TRAVERSAL, type Gen, type Route } from './hostile-generate.ts';

/**
 * Every route the storm in test/security/hostile-input-storm.test.ts sends to, by journey
 * and form. `ROUTES` keeps one fixed order: the seed picks routes by their index in it.
 */

const withQuery = (path: string, keys: string[] = []) => (g: Gen) => path + g.query(keys);

/** Home and the three start forms (cédula and CAPTCHA). */
const START: Route[] = [
  { name: 'GET /', method: 'GET', url: withQuery('/'), body: 'none' },
  { name: 'POST /', method: 'POST', url: withQuery('/'), body: 'form', fields: ['cedula'], csrf: true },
  ...['generar', 'recuperar', 'desbloquear'].flatMap((path): Route[] => [
    { name: `GET /clave/${path}`, method: 'GET', url: withQuery(`/clave/${path}`), body: 'none' },
    { name: `POST /clave/${path}`, method: 'POST', url: withQuery(`/clave/${path}`), body: 'form', fields: ['cedula', 'altcha'], csrf: true },
  ]),
];

/** The identity step: birth date and knowledge questions. */
const IDENTITY: Route[] = [
  { name: 'GET /clave/flujo/:id/identidad', method: 'GET', url: (g) => `/clave/flujo/${g.flowId()}/identidad${g.query([])}`, body: 'none' },
  { name: 'POST /clave/flujo/:id/identidad', method: 'POST', url: (g) => `/clave/flujo/${g.flowId()}/identidad`, body: 'form', fields: ['birthDay', 'birthMonth', 'q1', 'q2', 'q3'], csrf: true },
];

/** The mailed link: "check your e-mail", then the link itself. */
const LINK: Route[] = [
  { name: 'GET /clave/revise-su-correo', method: 'GET', url: withQuery('/clave/revise-su-correo', ['tipo', 'hasta']), body: 'none' },
  { name: 'GET /clave/continuar', method: 'GET', url: withQuery('/clave/continuar', ['token']), body: 'none' },
  { name: 'POST /clave/continuar', method: 'POST', url: withQuery('/clave/continuar'), body: 'form', fields: ['token'], csrf: true },
  { name: 'GET /clave/desbloqueada', method: 'GET', url: withQuery('/clave/desbloqueada'), body: 'none' },
];

/** The new clave, its checklist and "it wasn't me". */
const NEW_CLAVE: Route[] = [
  { name: 'GET /clave/nueva', method: 'GET', url: withQuery('/clave/nueva'), body: 'none', reset: true },
  { name: 'POST /clave/nueva', method: 'POST', url: withQuery('/clave/nueva'), body: 'form', fields: ['password', 'confirmation'], csrf: true, reset: true },
  { name: 'POST /clave/nueva/comprobar', method: 'POST', url: withQuery('/clave/nueva/comprobar'), body: 'form', fields: ['password'], csrf: true, reset: true },
  { name: 'GET /clave/lista', method: 'GET', url: withQuery('/clave/lista'), body: 'none' },
  { name: 'GET /clave/no-fui-yo', method: 'GET', url: withQuery('/clave/no-fui-yo', ['token']), body: 'none' },
  { name: 'POST /clave/no-fui-yo', method: 'POST', url: withQuery('/clave/no-fui-yo'), body: 'form', fields: ['token'], csrf: true },
];

/** Sign-in and Mi cuenta. */
const ACCOUNT: Route[] = [
  { name: 'GET /ingresar', method: 'GET', url: withQuery('/ingresar'), body: 'none' },
  { name: 'POST /ingresar', method: 'POST', url: withQuery('/ingresar'), body: 'form', fields: ['cedula', 'clave'], csrf: true },
  { name: 'GET /cuenta', method: 'GET', url: withQuery('/cuenta', ['hecho']), body: 'none', session: 'main' },
  { name: 'GET /cuenta/clave', method: 'GET', url: withQuery('/cuenta/clave'), body: 'none', session: 'main' },
  { name: 'POST /cuenta/clave', method: 'POST', url: withQuery('/cuenta/clave'), body: 'form', fields: ['current', 'password', 'confirmation'], csrf: true, session: 'main' },
  { name: 'POST /cuenta/clave/comprobar', method: 'POST', url: withQuery('/cuenta/clave/comprobar'), body: 'form', fields: ['password'], csrf: true, session: 'main' },
  { name: 'POST /cuenta/sesiones', method: 'POST', url: withQuery('/cuenta/sesiones'), body: 'form', fields: [], csrf: true, session: 'main' },
  { name: 'POST /salir', method: 'POST', url: withQuery('/salir'), body: 'form', fields: [], csrf: true, session: 'disposable' },
];

/** Help search, the page CAPTCHA, the development mailbox, probes and static assets. */
const HELP_AND_OPERATIONS: Route[] = [
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
];

/** The JSON API. */
const API: Route[] = [
  { name: 'GET /api/v1/openapi.json', method: 'GET', url: withQuery('/api/v1/openapi.json'), body: 'none' },
  { name: 'POST /api/v1/captcha', method: 'POST', url: withQuery('/api/v1/captcha'), body: 'json', fields: [] },
  { name: 'POST /api/v1/flows', method: 'POST', url: withQuery('/api/v1/flows'), body: 'json', fields: ['kind', 'cedula', 'captcha'] },
  { name: 'POST /api/v1/flows/:id/identity', method: 'POST', url: (g) => `/api/v1/flows/${g.flowId()}/identity`, body: 'json', fields: ['birthDay', 'birthMonth', 'answers'] },
  { name: 'POST /api/v1/tokens/redeem', method: 'POST', url: withQuery('/api/v1/tokens/redeem'), body: 'json', fields: ['token'] },
  { name: 'POST /api/v1/flows/:id/password', method: 'POST', url: (g) => `/api/v1/flows/${g.flowId()}/password`, body: 'json', fields: ['password', 'confirmation'], bearer: true },
  { name: 'POST /api/v1/flows/:id/password/check', method: 'POST', url: (g) => `/api/v1/flows/${g.flowId()}/password/check`, body: 'json', fields: ['password'], bearer: true },
  { name: 'POST /api/v1/sessions', method: 'POST', url: withQuery('/api/v1/sessions'), body: 'json', fields: ['cedula', 'password'] },
  { name: 'GET /api/v1/errors/:code', method: 'GET', url: (g) => `/api/v1/errors/${g.rng.chance(0.3) ? g.rng.pick(['CLV-010', 'clv-050', 'CLV-999', 'CLV-0']) : g.pathSegment(g.str())}${g.query([])}`, body: 'none' },
  { name: 'GET /api/v1/errors', method: 'GET', url: withQuery('/api/v1/errors', ['q']), body: 'none' },
];

const UNKNOWN: Route[] = [
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

export const ROUTES: Route[] = [...START, ...IDENTITY, ...LINK, ...NEW_CLAVE, ...ACCOUNT, ...HELP_AND_OPERATIONS, ...API, ...UNKNOWN];
