import assert from 'node:assert/strict';
import { after, before, describe } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Clave } from '../../src/app.ts';
import type { Database } from '../../src/adapters/db/database.ts';
import { openPostgres } from '../../src/adapters/db/postgres.ts';
import { createSettingsStore } from '../../src/adapters/db/settings-store.ts';
import type { DemoAffiliate } from '../../src/adapters/registry/demo-registry.ts';
import { solveCaptcha } from './captcha.ts';
import { TEST_ENV } from './clave.ts';
import { correctAnswers } from './journey.ts';

export { mailablePeople } from './journey.ts';
import { OutageCatcher, type Caught } from './outage-catcher.ts';
import { http, type Answer } from './outage-http.ts';
import { freePort, killAllServers, startServer, type RunningServer } from './process.ts';
import { startThrowawayPostgres, throwawayPostgresUnavailable, type ThrowawayPostgres } from './throwaway-postgres.ts';

/**
 * What the crash and outage tests (test/security/outages-*.test.ts) share: real `clave serve`
 * processes on a PostgreSQL and an SMTP catcher that the test starts itself (the machine's
 * shared services are never stopped), and journeys through the JSON API against them.
 */

const cannotRun = throwawayPostgresUnavailable();
if (cannotRun && process.env.CI === 'true') throw new Error(`CI=true but a throwaway PostgreSQL cannot be made: ${cannotRun}`);

/** The issue's bound on any answer while PostgreSQL is down. */
export const ANSWER_WITHIN_MS = 2000;
const SECRET_KEY = 'outage-tests-fixed-secret-key-0123456789';
const KBA_QUESTIONS = 3;

/** A stand-in for the server's secret-holding parts, so the tests can compute the right answers. */
function answerKeyHolder(db: Database): Clave {
  return { db, secret: SECRET_KEY, settings: createSettingsStore(db), config: { limits: { kbaQuestions: KBA_QUESTIONS } } } as unknown as Clave;
}

export function rightAnswers(db: Database, person: DemoAffiliate): Promise<Record<string, string>> {
  return correctAnswers(answerKeyHolder(db), person);
}

export async function startFlow(base: string, person: DemoAffiliate, kind: 'recover' | 'generate' = 'recover'): Promise<{ flowId: string; answers: Answer[] }> {
  const challenge = await http(base, 'POST', '/api/v1/captcha', { json: {} });
  assert.equal(challenge.status, 200, challenge.text);
  const started = await http(base, 'POST', '/api/v1/flows', { json: { kind, cedula: person.affiliate.cedula, captcha: await solveCaptcha(challenge.json().challenge) } });
  assert.equal(started.status, 201, started.text);
  return { flowId: started.json().flowId as string, answers: [challenge, started] };
}

export function tokenIn(mail: Caught): string | undefined {
  return /continuar\?token=([A-Za-z0-9_-]{43})/.exec(mail.text)?.[1];
}

export function linkMailFor(address: string) {
  return (mail: Caught) => mail.to.includes(address) && tokenIn(mail) !== undefined;
}

/** Polls `check` every `everyMs` until it returns a value, or fails at the deadline. */
export async function eventually<T>(what: string, timeoutMs: number, check: () => Promise<T | undefined>, everyMs = 200): Promise<T> {
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

export function killHard(server: RunningServer): Promise<void> {
  return new Promise((resolve) => {
    if (server.child.exitCode !== null || server.child.signalCode !== null) return resolve();
    server.child.once('exit', () => resolve());
    server.child.kill('SIGKILL');
  });
}

/** The `clave_outbox_pending` gauge from /metrics, or undefined when /metrics does not have it. */
export async function pendingGauge(base: string): Promise<number | undefined> {
  const metrics = await http(base, 'GET', '/metrics');
  assert.equal(metrics.status, 200);
  const line = /^clave_outbox_pending(?:\{[^}]*\})? (\S+)$/m.exec(metrics.text);
  return line ? Number(line[1]) : undefined;
}

export async function pendingInDatabase(db: Database): Promise<number> {
  const [row] = await db.query<{ pending: number }>('SELECT count(*) AS pending FROM outbox WHERE sent_at IS NULL AND given_up_at IS NULL');
  return row!.pending;
}

/**
 * What one lane of tests owns: a PostgreSQL of its own, the pools the tests read it with,
 * the servers they started. Lanes run side by side, so each stops only what it started.
 */
export class Lane {
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

/**
 * A file's tests as one lane: skipped when no throwaway PostgreSQL can be made (an error
 * under CI), with a PostgreSQL of its own, and no server left running after it. Files run
 * side by side, each on its own lane.
 */
export function outageSuite(title: string, tests: (lane: Lane) => void): void {
  describe('crashes and outages, on servers the test starts itself', { skip: cannotRun }, () => {
    after(() => killAllServers());

    describe(title, () => {
      const lane = new Lane();
      before(() => lane.open());
      after(() => lane.close());
      tests(lane);
    });
  });
}
