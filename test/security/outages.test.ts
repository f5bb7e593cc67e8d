import { describe, test, before, after, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { SMTPServer } from 'smtp-server';
import { simpleParser } from 'mailparser';
import type { Clave } from '../../src/app.ts';
import type { Database } from '../../src/adapters/db/database.ts';
import { openPostgres } from '../../src/adapters/db/postgres.ts';
import { demoAffiliate, type DemoAffiliate } from '../../src/adapters/registry/demo-registry.ts';
import { csrfToken } from '../support/browserless.ts';
import { solveCaptcha } from '../support/captcha.ts';
import { TEST_ENV } from '../support/clave.ts';
import { birthOf, correctAnswers, verifiedPeople } from '../support/journey.ts';
import { freePort, killAllServers, startServer, type RunningServer } from '../support/process.ts';
import { startThrowawayPostgres, throwawayPostgresUnavailable, type ThrowawayPostgres } from '../support/throwaway-postgres.ts';

/**
 * Crashes and outages, with real `clave serve` processes on a PostgreSQL and an SMTP
 * catcher that this file starts itself (the machine's shared services are never stopped):
 *
 * - kill -9 between the identity step and sending: another instance delivers the link;
 * - the SMTP server away for a minute: journeys answer, the queue grows on /metrics, and
 *   every mail arrives exactly once when it returns;
 * - PostgreSQL stopped: /readyz 503 and CLV-090 within 2 s, then the same instance serves
 *   again once the database is back.
 */

const cannotRun = throwawayPostgresUnavailable();
if (cannotRun && process.env.CI === 'true') throw new Error(`CI=true but a throwaway PostgreSQL cannot be made: ${cannotRun}`);

/** The issue asks for a one-minute SMTP outage; the back-off (5 s doubling) is what makes it telling. */
const SMTP_OUTAGE_MS = 60_000;
/** How soon after the SMTP server returns the whole queue should be out (a worker poll and a few sends, with room for a slow machine). */
const SMTP_CATCH_UP_MS = 15_000;
/** The issue's bound on any answer while PostgreSQL is down. */
const ANSWER_WITHIN_MS = 2000;
/** How long a claimed outbox message stays hidden from other workers (outbox-worker.ts `leaseMs`). */
const OUTBOX_LEASE_MS = 60_000;
const SECRET_KEY = 'outage-tests-fixed-secret-key-0123456789';
const KBA_QUESTIONS = 3;

// ---------------------------------------------------------------------------------------
// An SMTP catcher that can go down hard and come back on the same port.

interface Caught {
  messageId: string | undefined;
  to: string[];
  subject: string;
  text: string;
  receivedAt: number;
}

/**
 * Like the built-in catcher, plus what outages need: `down()` cuts every open connection
 * at once, like a mail server that crashed; `up()` comes back on the same port with what
 * was received before still listed; `blackHole()` accepts connections and never answers.
 */
class OutageCatcher {
  readonly received: Caught[] = [];
  private server: SMTPServer | undefined;
  private hole: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private readonly waiters = new Set<() => void>();

  private constructor(readonly port: number) {}

  static async start(): Promise<OutageCatcher> {
    const catcher = new OutageCatcher(await freePort());
    await catcher.up();
    return catcher;
  }

  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  async up(): Promise<void> {
    await this.closeBlackHole();
    if (this.server) return;
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      closeTimeout: 100,
      onData: (stream, session, callback) => {
        simpleParser(stream).then(
          (parsed) => {
            this.received.push({
              messageId: parsed.messageId,
              to: session.envelope.rcptTo.map((rcpt) => rcpt.address),
              subject: parsed.subject ?? '',
              text: parsed.text ?? '',
              receivedAt: Date.now(),
            });
            for (const wake of this.waiters) wake();
            callback();
          },
          (error: Error) => callback(error),
        );
      },
    });
    server.on('error', () => undefined);
    server.server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      server.server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => {
        server.server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
  }

  /**
   * A mail server that accepts connections and then says nothing: a send hangs (until
   * nodemailer's greeting timeout, 30 s) with its outbox message claimed.
   */
  async blackHole(): Promise<void> {
    await this.down();
    const hole = createServer((socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
      socket.on('error', () => undefined);
    });
    await new Promise<void>((resolve, reject) => {
      hole.once('error', reject);
      hole.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.hole = hole;
  }

  private async closeBlackHole(): Promise<void> {
    const hole = this.hole;
    if (!hole) return;
    this.hole = undefined;
    const closed = new Promise<void>((resolve) => hole.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    await closed;
  }

  /** Stops listening and cuts every open connection: nothing can be delivered until `up()`. */
  async down(): Promise<void> {
    await this.closeBlackHole();
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    await closed;
  }

  /** Resolves with the first message that matches (already received or arriving later), or rejects at the deadline. */
  async waitFor(match: (mail: Caught) => boolean, timeoutMs: number, what: string): Promise<Caught> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.received.find(match);
      if (found) return found;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`${what}: no matching mail within ${timeoutMs} ms (received ${this.received.length})`);
      await new Promise<void>((resolve) => {
        const wake = () => {
          clearTimeout(timer);
          this.waiters.delete(wake);
          resolve();
        };
        const timer = setTimeout(wake, left);
        this.waiters.add(wake);
      });
    }
  }
}

// ---------------------------------------------------------------------------------------
// HTTP against a real process, timed.

interface Answer {
  status: number;
  ms: number;
  text: string;
  headers: Headers;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  json(): any;
}

async function http(base: string, method: 'GET' | 'POST', path: string, options: { json?: object; form?: Record<string, string>; headers?: Record<string, string>; timeoutMs?: number } = {}): Promise<Answer> {
  const headers: Record<string, string> = { 'accept-language': 'es', ...options.headers };
  let body: string | undefined;
  if (options.json) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(options.json);
  } else if (options.form) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    body = new URLSearchParams(options.form).toString();
  }
  const started = performance.now();
  // A hang fails the test (at 15 s unless told) instead of stalling it; the assertions are on `ms`.
  const timeoutMs = options.timeoutMs ?? 15_000;
  let response: Response;
  try {
    response = await fetch(base + path, { method, headers, body, redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    throw new Error(`${method} ${path}: no answer within ${timeoutMs} ms (${String(error)})`);
  }
  const text = await response.text();
  const ms = performance.now() - started;
  return { status: response.status, ms, text, headers: response.headers, json: () => JSON.parse(text) };
}

/** Keeps cookies across requests, as a browser would, for the page forms (CSRF). */
class Browser {
  private readonly cookies = new Map<string, string>();

  constructor(private readonly base: string) {}

  private remember(answer: Answer): Answer {
    for (const line of answer.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const index = pair!.indexOf('=');
      this.cookies.set(pair!.slice(0, index).trim(), pair!.slice(index + 1).trim());
    }
    return answer;
  }

  private cookieHeader(): Record<string, string> {
    return this.cookies.size ? { cookie: [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ') } : {};
  }

  async get(path: string): Promise<Answer> {
    return this.remember(await http(this.base, 'GET', path, { headers: this.cookieHeader() }));
  }

  async post(path: string, form: Record<string, string>): Promise<Answer> {
    return this.remember(await http(this.base, 'POST', path, { form, headers: this.cookieHeader() }));
  }
}

// ---------------------------------------------------------------------------------------
// Journeys through the JSON API.

/** A stand-in for the server's secret-holding parts, so the tests can compute the right answers. */
function answerKeyHolder(db: Database): Clave {
  return { db, secret: SECRET_KEY, config: { limits: { kbaQuestions: KBA_QUESTIONS } } } as unknown as Clave;
}

async function rightAnswers(db: Database, person: DemoAffiliate): Promise<Record<string, string>> {
  const [account] = await db.query<{ kba_epoch: number }>('SELECT kba_epoch FROM accounts WHERE cedula = $1', [person.affiliate.cedula]);
  return correctAnswers(answerKeyHolder(db), person, account?.kba_epoch ?? 0);
}

async function startFlow(base: string, person: DemoAffiliate, kind: 'recover' | 'generate' = 'recover'): Promise<{ flowId: string; answers: Answer[] }> {
  const challenge = await http(base, 'POST', '/api/v1/captcha', { json: {} });
  assert.equal(challenge.status, 200, challenge.text);
  const started = await http(base, 'POST', '/api/v1/flows', { json: { kind, cedula: person.affiliate.cedula, captcha: await solveCaptcha(challenge.json().challenge) } });
  assert.equal(started.status, 201, started.text);
  return { flowId: started.json().flowId as string, answers: [challenge, started] };
}

function tokenIn(mail: Caught): string | undefined {
  return /continuar\?token=([A-Za-z0-9_-]{43})/.exec(mail.text)?.[1];
}

function linkMailFor(address: string) {
  return (mail: Caught) => mail.to.includes(address) && tokenIn(mail) !== undefined;
}

/** Verified people with an address, in registry order. */
function mailablePeople(count: number): DemoAffiliate[] {
  const people: DemoAffiliate[] = [];
  for (let i = 0; people.length < count && i < 60; i++) {
    const person = demoAffiliate(i);
    if (person.affiliate.datosVerificados && person.affiliate.correo) people.push(person);
  }
  assert.equal(people.length, count, 'the demo registry has enough verified people');
  return people;
}

/** Polls `check` every `everyMs` until it returns a value, or fails at the deadline. */
async function eventually<T>(what: string, timeoutMs: number, check: () => Promise<T | undefined>, everyMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() >= deadline) throw new Error(`${what}: not within ${timeoutMs} ms${lastError ? ` (last error: ${String(lastError)})` : ''}`);
    await sleep(everyMs);
  }
}

function serverEnv(databaseUrl: string, smtpUrl: string, port: number): Record<string, string> {
  return {
    ...TEST_ENV,
    DATABASE_URL: databaseUrl,
    SMTP_URL: smtpUrl,
    SECRET_KEY,
    CAPTCHA_MAX_NUMBER: '1000',
    KBA_QUESTIONS: String(KBA_QUESTIONS),
    PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    DEMO_DATA: 'true',
  };
}

function killHard(server: RunningServer): Promise<void> {
  return new Promise((resolve) => {
    if (server.child.exitCode !== null || server.child.signalCode !== null) return resolve();
    server.child.once('exit', () => resolve());
    server.child.kill('SIGKILL');
  });
}

/** The `clave_outbox_pending` gauge from /metrics, or undefined when /metrics does not have it. */
async function pendingGauge(base: string): Promise<number | undefined> {
  const metrics = await http(base, 'GET', '/metrics');
  assert.equal(metrics.status, 200);
  const line = /^clave_outbox_pending(?:\{[^}]*\})? (\S+)$/m.exec(metrics.text);
  return line ? Number(line[1]) : undefined;
}

async function pendingInDatabase(db: Database): Promise<number> {
  const [row] = await db.query<{ pending: number }>('SELECT count(*) AS pending FROM outbox WHERE sent_at IS NULL');
  return row!.pending;
}

/**
 * What one lane of tests owns: a PostgreSQL of its own, the pools the tests read it with,
 * the servers they started. Lanes run side by side, so each stops only what it started.
 */
class Lane {
  postgres!: ThrowawayPostgres;
  private readonly pools: Database[] = [];
  private readonly servers: RunningServer[] = [];
  private readonly catchers: OutageCatcher[] = [];

  async open(): Promise<void> {
    this.postgres = await startThrowawayPostgres();
  }

  async close(): Promise<void> {
    await Promise.all(this.servers.map(killHard));
    for (const catcher of this.catchers) await catcher.down();
    for (const pool of this.pools) await pool.close().catch(() => undefined);
    await this.postgres?.destroy();
  }

  /** A database of its own for one test, and a small pool the test reads it with. */
  async database(name: string): Promise<{ url: string; db: Database }> {
    await this.postgres.createDatabase(name);
    const db = await openPostgres(this.postgres.url(name), { poolSize: 2 });
    this.pools.push(db);
    return { url: this.postgres.url(name), db };
  }

  async catcher(): Promise<OutageCatcher> {
    const catcher = await OutageCatcher.start();
    this.catchers.push(catcher);
    return catcher;
  }

  /** `clave serve` as a real process on a free port. */
  async serve(databaseUrl: string, smtpUrl: string): Promise<{ server: RunningServer; base: string }> {
    const port = await freePort();
    const server = await startServer(serverEnv(databaseUrl, smtpUrl, port));
    this.servers.push(server);
    return { server, base: `http://127.0.0.1:${port}` };
  }
}

/** A Recuperar flow up to a committed identity step, then the instance is killed with SIGKILL; a new instance must finish the job. */
async function crashAfterIdentity(t: TestContext, lane: Lane, database: string, person: DemoAffiliate, moment: 'right after the 202' | 'while sending') {
  const t0 = Date.now();
  const phase = (what: string) => t.diagnostic(`${((Date.now() - t0) / 1000).toFixed(1)} s: ${what}`);
  const { url, db } = await lane.database(database);
  const catcher = await lane.catcher();
  const first = await lane.serve(url, catcher.url);
  phase('first instance serving');
  const address = person.affiliate.correo!;
  const { flowId } = await startFlow(first.base, person);
  const answers = await rightAnswers(db, person);

  // The mail server is away (refusing, or accepting and never answering), so whatever
  // the instance got to, it cannot have delivered the link.
  if (moment === 'right after the 202') await catcher.down();
  else await catcher.blackHole();
  const sent = await http(first.base, 'POST', `/api/v1/flows/${flowId}/identity`, { json: { ...birthOf(person), answers } });
  assert.equal(sent.status, 202, sent.text);
  if (moment === 'while sending') {
    // The link is queued and claimed by this instance's worker, its send hanging on the silent server.
    await eventually('the link claimed by the worker', 10_000, async () => {
      const rows = await db.query("SELECT 1 FROM outbox WHERE recipient = $1 AND sent_at IS NULL AND attempts = 1 AND available_at > now() + interval '30 seconds'", [address]);
      return rows.length === 1 ? true : undefined;
    });
  }
  await killHard(first.server);
  const killedAt = Date.now();

  assert.equal(catcher.received.length, 0, 'nothing was delivered before the crash');
  const [state] = await db.query<{ flow: string; outcome: string; processed: boolean }>(
    `SELECT f.state AS flow, o.verdict AS outcome, o.processed_at IS NOT NULL AS processed
     FROM recovery_flows f JOIN identity_outcomes o ON o.flow_id = f.id WHERE f.id = $1`,
    [flowId],
  );
  assert.deepEqual({ flow: state?.flow, outcome: state?.outcome }, { flow: 'check_email', outcome: 'verified' }, 'the 202 was committed with its verdict');
  assert.equal((await db.query('SELECT 1 FROM outbox WHERE sent_at IS NOT NULL')).length, 0, 'nothing marked sent');
  const outbox = await db.query<{ attempts: number; due_in_s: number }>('SELECT attempts, round(extract(epoch FROM available_at - now())) AS due_in_s FROM outbox WHERE recipient = $1', [address]);
  t.diagnostic(`at the kill -9: verdict ${state!.processed ? 'followed up' : 'not yet followed up'}; the person's outbox rows: ${JSON.stringify(outbox)}`);

  await catcher.up();
  const second = await lane.serve(url, catcher.url);
  phase('second instance serving');
  // A message claimed by the dead instance is free again once its lease runs out.
  const mail = await catcher.waitFor(linkMailFor(address), OUTBOX_LEASE_MS + 20_000, 'the link after the crash');
  t.diagnostic(`link delivered by the new instance ${((mail.receivedAt - killedAt) / 1000).toFixed(1)} s after the kill -9`);

  const redeemed = await http(second.base, 'POST', '/api/v1/tokens/redeem', { json: { token: tokenIn(mail) } });
  assert.equal(redeemed.status, 200, redeemed.text);
  assert.equal(redeemed.json().flowId, flowId);
  const password = 'tormenta-Clara-42-rio';
  const done = await http(second.base, 'POST', `/api/v1/flows/${flowId}/password`, { json: { password, confirmation: password }, headers: { authorization: `Bearer ${redeemed.json().resetToken}` } });
  assert.equal(done.status, 200, done.text);
  assert.deepEqual(done.json(), { step: 'done' });
  const login = await http(second.base, 'POST', '/api/v1/sessions', { json: { cedula: person.affiliate.cedula, password } });
  assert.equal(login.status, 201, login.text);
  phase('flow completed');

  // Nothing stuck and nothing twice: every queued message delivered once, the link only once.
  await eventually('the outbox emptied', 30_000, async () => ((await pendingInDatabase(db)) === 0 ? true : undefined));
  const queued = (await db.query<{ id: string }>("SELECT message->>'messageId' AS id FROM outbox")).map((row) => row.id);
  assert.ok(queued.length >= 2, 'the link and the notice of the change');
  for (const id of queued) assert.equal(catcher.received.filter((m) => m.messageId === id).length, 1, `${id} delivered once`);
  assert.equal(catcher.received.length, queued.length, 'no mail that the outbox does not hold');
  assert.equal(catcher.received.filter(linkMailFor(address)).length, 1, 'one link');
  const [outcome] = await db.query<{ processed: boolean }>('SELECT processed_at IS NOT NULL AS processed FROM identity_outcomes WHERE flow_id = $1', [flowId]);
  assert.equal(outcome?.processed, true);
  phase('outbox empty');
  assert.equal(await second.server.stop(), 0);
  phase('stopped');
}

// ---------------------------------------------------------------------------------------

// Two lanes side by side, each on a PostgreSQL of its own: the minute of SMTP outage in
// one, the crashes and the database outage in the other.
describe('crashes and outages, on servers the test starts itself', { skip: cannotRun, concurrency: 2 }, () => {
  after(() => killAllServers());

  describe('kill -9, then PostgreSQL stopped and started', () => {
    const lane = new Lane();
    before(() => lane.open());
    after(() => lane.close());

    test('kill -9 right after the identity step answered: a new instance follows up the verdict and delivers the link; the flow completes', async (t) => {
      await crashAfterIdentity(t, lane, 'clave_crash_answered', verifiedPeople()[0]!, 'right after the 202');
    });

    test('kill -9 while the link is being sent: a new instance sends it once the lease runs out; the flow completes', async (t) => {
      await crashAfterIdentity(t, lane, 'clave_crash_sending', verifiedPeople()[1]!, 'while sending');
    });

    test('PostgreSQL stopped: /readyz 503 and CLV-090 within 2 s; started again: the same instance serves journeys', async (t) => {
      const { url, db } = await lane.database('clave_pg');
      const catcher = await lane.catcher();
      const { server, base } = await lane.serve(url, catcher.url);
      const [person, other] = mailablePeople(2) as [DemoAffiliate, DemoAffiliate];
      const { flowId } = await startFlow(base, person);
      assert.equal((await http(base, 'GET', `/clave/flujo/${flowId}/identidad`)).status, 200);
      assert.equal((await http(base, 'GET', '/readyz')).status, 200);
      const answers = await rightAnswers(db, person);
      const otherCaptcha = await solveCaptcha((await http(base, 'POST', '/api/v1/captcha', { json: {} })).json().challenge);
      const browser = new Browser(base);
      const form = await browser.get('/clave/recuperar');
      assert.equal(form.status, 200);

      await lane.postgres.stop();
      const slow: string[] = [];
      const timed = (what: string, answer: Answer) => {
        if (answer.ms >= ANSWER_WITHIN_MS) slow.push(`${what}: ${answer.ms.toFixed(0)} ms`);
        return answer;
      };
      const apiUnavailable = (what: string, answer: Answer) => {
        timed(what, answer);
        assert.equal(answer.status, 503, `${what}: ${answer.status} ${answer.text.slice(0, 300)}`);
        assert.equal(answer.json().error.code, 'CLV-090', what);
      };
      const pageUnavailable = (what: string, answer: Answer) => {
        timed(what, answer);
        assert.equal(answer.status, 503, `${what}: ${answer.status}`);
        assert.match(answer.text, /CLV-090/, what);
        assert.doesNotMatch(answer.text, /at .+\.ts:\d+|StorageUnavailable|ECONNREFUSED/, `${what}: no internals shown`);
      };

      // Twice: once as the pool finds its connections gone, once with nothing left to reuse.
      for (const round of [1, 2]) {
        const ready = timed(`readyz #${round}`, await http(base, 'GET', '/readyz'));
        assert.equal(ready.status, 503, `/readyz while the database is down (#${round})`);
        assert.equal(timed(`healthz #${round}`, await http(base, 'GET', '/healthz')).status, 200, 'the process is alive');
        assert.equal(timed(`home #${round}`, await http(base, 'GET', '/')).status, 200, 'the home page needs no database');
        pageUnavailable(`identity page #${round}`, await http(base, 'GET', `/clave/flujo/${flowId}/identidad`));
        pageUnavailable(`start form post #${round}`, await browser.post('/clave/recuperar', { _csrf: csrfToken(form.text), cedula: other.affiliate.cedula, altcha: otherCaptcha }));
        apiUnavailable(`login API #${round}`, await http(base, 'POST', '/api/v1/sessions', { json: { cedula: person.affiliate.cedula, password: 'cualquier-Clave-12-mal' } }));
        apiUnavailable(`identity API #${round}`, await http(base, 'POST', `/api/v1/flows/${flowId}/identity`, { json: { ...birthOf(person), answers } }));
        apiUnavailable(`start API #${round}`, await http(base, 'POST', '/api/v1/flows', { json: { kind: 'recover', cedula: other.affiliate.cedula, captcha: otherCaptcha } }));
        assert.equal(timed(`metrics #${round}`, await http(base, 'GET', '/metrics')).status, 200, 'metrics still scrape');
      }
      // Many at once: nobody queues behind a pool waiting for connections that cannot come.
      const burst = await Promise.all(
        Array.from({ length: 30 }, (_, i) =>
          i % 2 === 0 ? http(base, 'POST', '/api/v1/sessions', { json: { cedula: person.affiliate.cedula, password: `otra-Clave-${i}-mala` } }) : http(base, 'GET', `/clave/flujo/${flowId}/identidad`),
        ),
      );
      for (const [i, answer] of burst.entries()) {
        if (i % 2 === 0) apiUnavailable(`burst login ${i}`, answer);
        else pageUnavailable(`burst page ${i}`, answer);
      }
      t.diagnostic(`slowest answer while PostgreSQL was down: ${Math.max(...burst.map((a) => a.ms)).toFixed(0)} ms (burst of ${burst.length})`);
      assert.deepEqual(slow, [], `every answer within ${ANSWER_WITHIN_MS} ms`);
      assert.equal(server.child.exitCode, null, 'the instance survived the outage');

      await lane.postgres.start();
      await eventually('/readyz 200 again', 15_000, async () => ((await http(base, 'GET', '/readyz')).status === 200 ? true : undefined));
      assert.equal(server.child.exitCode, null, 'no restart: the same process');
      assert.equal((await http(base, 'GET', `/clave/flujo/${flowId}/identidad`)).status, 200);
      const sent = await http(base, 'POST', `/api/v1/flows/${flowId}/identity`, { json: { ...birthOf(person), answers } });
      assert.equal(sent.status, 202, sent.text);
      const mail = await catcher.waitFor(linkMailFor(person.affiliate.correo!), 20_000, 'the link after the database returned');
      const redeemed = await http(base, 'POST', '/api/v1/tokens/redeem', { json: { token: tokenIn(mail) } });
      assert.equal(redeemed.status, 200, redeemed.text);
      const again = await startFlow(base, other);
      assert.ok(again.flowId);
      assert.equal(await server.stop(), 0);
    });

    test(
      'PostgreSQL frozen (SIGSTOP: connections open, nothing answers): /readyz 503 and CLV-090 within 2 s, then served again',
      async () => {
        const { url } = await lane.database('clave_frozen');
        const catcher = await lane.catcher();
        const { server, base } = await lane.serve(url, catcher.url);
        const [person] = mailablePeople(1) as [DemoAffiliate];
        const { flowId } = await startFlow(base, person);
        // Open connections the pool keeps idle, as a busy instance has.
        const warm = await Promise.all(Array.from({ length: 4 }, () => http(base, 'GET', `/clave/flujo/${flowId}/identidad`)));
        assert.deepEqual(warm.map((answer) => answer.status), [200, 200, 200, 200], warm.map((answer) => answer.text.slice(0, 200)).join(' | '));
        await lane.postgres.freeze();
        try {
          const within = { timeoutMs: 3 * ANSWER_WITHIN_MS };
          const ready = await http(base, 'GET', '/readyz', within);
          assert.equal(ready.status, 503);
          assert.ok(ready.ms < ANSWER_WITHIN_MS, `/readyz took ${ready.ms.toFixed(0)} ms`);
          for (let i = 0; i < 3; i++) {
            const page = await http(base, 'GET', `/clave/flujo/${flowId}/identidad`, within);
            assert.equal(page.status, 503);
            assert.match(page.text, /CLV-090/);
            assert.ok(page.ms < ANSWER_WITHIN_MS, `the identity page took ${page.ms.toFixed(0)} ms`);
          }
        } finally {
          lane.postgres.thaw();
        }
        await eventually('/readyz 200 again', 15_000, async () => ((await http(base, 'GET', '/readyz')).status === 200 ? true : undefined));
        assert.equal((await http(base, 'GET', `/clave/flujo/${flowId}/identidad`)).status, 200);
        assert.equal(await server.stop(), 0);
      },
    );
  });

  describe(`the SMTP server away for ${SMTP_OUTAGE_MS / 1000} s`, () => {
    const lane = new Lane();
    before(() => lane.open());
    after(() => lane.close());

    test('journeys answer, the queue grows on /metrics, every mail arrives exactly once after it returns', async (t) => {
      const { url, db } = await lane.database('clave_smtp');
      const catcher = await lane.catcher();
      const { server, base } = await lane.serve(url, catcher.url);
      const [warm, ...people] = mailablePeople(7) as [DemoAffiliate, ...DemoAffiliate[]];

      // Before the outage: mail flows, and the portal holds a pooled connection the outage will cut.
      const before = await startFlow(base, warm);
      assert.equal((await http(base, 'POST', `/api/v1/flows/${before.flowId}/identity`, { json: { ...birthOf(warm), answers: await rightAnswers(db, warm) } })).status, 202);
      await catcher.waitFor(linkMailFor(warm.affiliate.correo!), 15_000, 'the link before the outage');
      assert.equal(await pendingGauge(base), 0, 'clave_outbox_pending is on /metrics and 0 with nothing queued');

      await catcher.down();
      const outageStarted = Date.now();
      const outageEnds = outageStarted + SMTP_OUTAGE_MS;
      // Journeys spread over the outage; every other one answers wrong, which queues a failure notice instead of a link.
      const spacing = Math.floor((SMTP_OUTAGE_MS - 5000) / people.length);
      const gaugeSeen: number[] = [];
      const flows: { person: DemoAffiliate; flowId: string; right: boolean }[] = [];
      for (const [i, person] of people.entries()) {
        const at = outageStarted + i * spacing;
        if (Date.now() < at) await sleep(at - Date.now());
        const right = i % 2 === 0;
        const { flowId, answers: steps } = await startFlow(base, person, i % 3 === 2 ? 'generate' : 'recover');
        const { birthDay, birthMonth } = birthOf(person);
        const key = await rightAnswers(db, person);
        const identity = await http(base, 'POST', `/api/v1/flows/${flowId}/identity`, {
          json: right ? { birthDay, birthMonth, answers: key } : { birthDay: (birthDay % 28) + 1, birthMonth, answers: Object.fromEntries(Object.keys(key).map((id) => [id, 'none'])) },
        });
        assert.equal(identity.status, 202, identity.text);
        for (const step of [...steps, identity]) assert.ok(step.ms < ANSWER_WITHIN_MS, `a journey step took ${step.ms.toFixed(0)} ms during the SMTP outage`);
        flows.push({ person, flowId, right });
        // The verdict is followed up after the answer: wait for its mail to be queued, as the gauge shows it.
        gaugeSeen.push(
          await eventually(`clave_outbox_pending reaches ${i + 1}`, 10_000, async () => {
            const pending = await pendingGauge(base);
            return pending !== undefined && pending >= i + 1 ? pending : undefined;
          }),
        );
      }
      assert.ok(Date.now() < outageEnds, 'every journey ran while the catcher was down');
      assert.deepEqual(gaugeSeen, people.map((_, i) => i + 1), 'the queue grew by one message per journey');
      assert.equal(await pendingInDatabase(db), people.length, '/metrics agrees with the outbox');
      assert.equal(catcher.received.length, 1, 'nothing was delivered during the outage');
      assert.equal((await http(base, 'GET', '/readyz')).status, 200, 'an SMTP outage does not make the instance unready');
      const [{ retried }] = (await db.query<{ retried: number }>('SELECT count(*) AS retried FROM outbox WHERE sent_at IS NULL AND attempts > 1')) as [{ retried: number }];
      assert.ok(retried > 0, 'the worker kept trying during the outage');

      await sleep(Math.max(0, outageEnds - Date.now()));
      await catcher.up();
      const returnedAt = Date.now();
      // With the back-off (5 s doubling), a message's next try can come about as long after the return as it had already waited.
      await eventually('every queued mail delivered', SMTP_OUTAGE_MS + 15_000, async () => ((await pendingInDatabase(db)) === 0 ? true : undefined), 250);
      const lastArrival = Math.max(...catcher.received.map((m) => m.receivedAt));
      const catchUpMs = lastArrival - returnedAt;
      t.diagnostic(`SMTP outage ${SMTP_OUTAGE_MS / 1000} s; ${people.length} messages queued; the last arrived ${(catchUpMs / 1000).toFixed(1)} s after the catcher returned`);
      await t.test('the queue is flushed soon after the SMTP server returns, not at each message\'s next back-off', () => {
        assert.ok(catchUpMs < SMTP_CATCH_UP_MS, `the last queued mail arrived ${(catchUpMs / 1000).toFixed(1)} s after the SMTP server returned (want < ${SMTP_CATCH_UP_MS / 1000} s)`);
      });

      const queued = (await db.query<{ id: string }>("SELECT message->>'messageId' AS id FROM outbox")).map((row) => row.id);
      assert.equal(queued.length, people.length + 1);
      for (const id of queued) assert.equal(catcher.received.filter((m) => m.messageId === id).length, 1, `${id} delivered exactly once`);
      assert.equal(catcher.received.length, queued.length, 'no mail beyond what the outbox holds');
      for (const { person, right } of flows) {
        const mine = catcher.received.filter((m) => m.to.includes(person.affiliate.correo!));
        assert.equal(mine.length, 1, `one mail for ${person.affiliate.correo}`);
        assert.equal(tokenIn(mine[0]!) !== undefined, right, right ? 'a link for right answers' : 'a notice, no link, for wrong answers');
      }
      assert.equal(await pendingGauge(base), 0, 'the gauge is back to 0');
      assert.match(server.output(), /delivery failed; will retry/);
      assert.equal(await server.stop(), 0);
    });
  });
});
