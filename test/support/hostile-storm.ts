import { connect } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import type { Clave } from '../../src/app.ts';
import { isErrorCode } from '../../src/domain/errors.ts';
import { RAW_MARKUP, REQUESTS, type Gen } from './hostile-generate.ts';
import { describeRequest, generate, type Generated } from './hostile-requests.ts';

/**
 * Sends the storm of test/security/hostile-input-storm.test.ts and checks every answer:
 * no 5xx, no stack or file path, no raw markup, no redirect or link off the portal, and
 * every refusal a catalogue error (JSON for the API, a whole institute page otherwise).
 */

const CONCURRENCY = 8;
const BODY_LIMIT = 64 * 1024;
export const INSTITUTE = 'Instituto de Prueba';

/** What the storm saw: its failures (each kind in full at most twice), answers by class and by route, the slowest. */
export interface StormTally {
  failures: string[];
  failureKinds: Map<string, number>;
  byClass: Record<string, number>;
  byRoute: Map<string, { count: number; statuses: Map<number, number>; ms: number }>;
  maxLatency: number;
  slowest: string;
  rawCount: number;
}

export function newTally(): StormTally {
  return { failures: [], failureKinds: new Map(), byClass: {}, byRoute: new Map(), maxLatency: 0, slowest: '', rawCount: 0 };
}

/** REQUESTS generated requests through inject, CONCURRENCY at a time. */
export async function sendGenerated(clave: Clave, g: Gen, storm: StormTally): Promise<void> {
  const { failures, failureKinds, byClass, byRoute } = storm;
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
      if (latency > storm.maxLatency) {
        storm.maxLatency = latency;
        storm.slowest = `${request.route.name} (#${index})`;
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
}

/** Byte-for-byte requests a real client can send and inject cannot: traversal and broken request lines. */
export async function sendRaw(clave: Clave, storm: StormTally): Promise<void> {
  const { failures, byClass } = storm;
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
  for (const path of raw) {
    for (const method of ['GET', 'POST']) {
      const body = method === 'POST' ? '{"a":1}' : '';
      const answer = await rawHttp(port, `${method} ${path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n${method === 'POST' ? `Content-Type: application/json\r\nContent-Length: ${body.length}\r\n` : ''}\r\n${body}`);
      storm.rawCount++;
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
}

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
