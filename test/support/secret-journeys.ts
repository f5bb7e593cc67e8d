import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { Writable } from 'node:stream';
import type { DemoAffiliate } from '../../src/adapters/registry/demo-registry.ts';
import { csrfToken, type PageClient } from './browserless.ts';
import type { TestClave } from './clave.ts';
import { apiCaptcha, correctAnswers } from './journey.ts';

/**
 * What test/security/secrets.test.ts drives its journeys with: a stand-in SMS gateway, a
 * log sink, and journey steps that remember every secret they use or receive so that the
 * last test can search the log and the gateway's requests for them.
 */

export interface GatewayRequest {
  method: string;
  url: string;
  headers: Record<string, unknown>;
  body: string;
}

/** A stand-in SMS gateway on loopback: refuses the first message with a 500 (so the retry path logs), accepts after. */
export async function gateway(): Promise<{ server: Server; url: string; received: GatewayRequest[] }> {
  const received: GatewayRequest[] = [];
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      received.push({ method: request.method ?? '', url: request.url ?? '', headers: { ...request.headers }, body });
      response.statusCode = received.length === 1 ? 500 : 200;
      response.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as { port: number }).port}/sms`, received };
}

/** A stream for the logger that keeps every line it is given. */
export function logSink(): { stream: Writable; logText(): string } {
  const logChunks: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      logChunks.push(chunk.toString());
      done();
    },
  });
  return { stream, logText: () => logChunks.join('') };
}

const NONE = 'none';

/** Journey steps against the Clave that `app` returns, each remembering the secrets it touches in `secrets` (value → label). */
export function secretJourneys(app: () => TestClave) {
  const secrets = new Map<string, string>();

  /** Remembers a value that must never be logged nor sent to a third party. */
  function secret(label: string, value: string | undefined | null): string {
    assert.ok(value, `${label}: the journey should have produced it`);
    assert.ok(value.length >= 8, `${label} is too short to search for: ${value}`);
    secrets.set(value, label);
    return value;
  }

  function person(p: DemoAffiliate, name: string): void {
    secret(`cédula of ${name}`, p.affiliate.cedula);
    secret(`e-mail of ${name}`, p.affiliate.correo);
  }

  const post = (url: string, payload: object, headers: Record<string, string> = {}) => app().web.inject({ method: 'POST', url, payload, headers });

  async function captchaForApi(): Promise<string> {
    return secret('ALTCHA payload (API)', await apiCaptcha(app()));
  }

  /** Like PageClient.submit, but remembers the CSRF token and cookie secret it used. */
  async function submit(browser: PageClient, pageUrl: string, fields: Record<string, string>, action = pageUrl) {
    const page = await browser.get(pageUrl);
    assert.ok(page.statusCode < 400, `${pageUrl}: ${page.statusCode}`);
    const token = secret('CSRF token', csrfToken(page.body));
    secret('CSRF cookie secret', browser.cookie('clave_csrf'));
    return browser.post(action, { _csrf: token, ...fields });
  }

  async function pageCaptcha(browser: PageClient): Promise<string> {
    return secret('ALTCHA payload (page)', await browser.captcha());
  }

  /** The right answers, remembered option by option and as the JSON a client sends. */
  async function rightAnswers(p: DemoAffiliate): Promise<Record<string, string>> {
    const answers = await correctAnswers(app(), p);
    rememberAnswers(answers);
    return answers;
  }

  function rememberAnswers(answers: Record<string, string>): void {
    for (const id of Object.values(answers)) if (id !== NONE) secret('identity answer option id', id);
    secret('identity answers JSON', JSON.stringify(answers));
  }

  /** Answers that are all wrong but real option ids (10 characters), so they can be searched for. */
  function wrongAnswers(questions: { id: string; options: { id: string }[] }[], right: Record<string, string>): Record<string, string> {
    const answers = Object.fromEntries(questions.map((q) => [q.id, q.options.find((o) => o.id !== NONE && o.id !== right[q.id])!.id]));
    rememberAnswers(answers);
    return answers;
  }

  function noFuiYoToken(p: DemoAffiliate): string {
    const notice = app().catcher!.list().find((m) => m.to.includes(p.affiliate.correo!) && /no-fui-yo\?token=/.test(m.text));
    return /no-fui-yo\?token=([A-Za-z0-9_-]{43})/.exec(notice?.text ?? '')?.[1] ?? '';
  }

  return { secrets, secret, person, post, captchaForApi, submit, pageCaptcha, rightAnswers, wrongAnswers, noFuiYoToken };
}
