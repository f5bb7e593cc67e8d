import type { InjectOptions } from 'fastify';
import { encodeLoosely, FORM_TYPE, INVALID_UTF8, JSON_TYPE, ODD_TYPES, PERCENT_JUNK, PROTO, SEED, type Gen, type Route } from './hostile-generate.ts';
import { ROUTES } from './hostile-routes.ts';

/**
 * One generated request for the storm in test/security/hostile-input-storm.test.ts: a
 * route, a method, a URL, abusive headers and cookies, and a body of any shape and type.
 */

export interface Generated {
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

export function generate(g: Gen): Generated {
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

export function describeRequest(index: number, request: Generated): string {
  const cut = (text: string, n: number) => (text.length > n ? `${text.slice(0, n)}…(${text.length} chars)` : text);
  const { options } = request;
  const payload = options.payload;
  const shown = payload === undefined ? undefined : Buffer.isBuffer(payload) ? `hex:${cut(payload.toString('hex'), 400)}` : cut(String(payload), 400);
  const headers = Object.fromEntries(Object.entries((options.headers ?? {}) as Record<string, string>).map(([k, v]) => [k, cut(String(v), 200)]));
  return JSON.stringify({ seed: SEED, index, route: request.route.name, method: options.method, url: cut(String(options.url), 400), headers, payload: shown });
}
