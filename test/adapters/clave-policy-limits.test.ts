import { beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ClavePolicyUnavailable, createClavePolicy, type ClavePolicyRunner } from '../../src/adapters/clave-policy/index.ts';
import { checkPassword } from '../../src/domain/password-policy.ts';
import { Overloaded } from '../../src/services/ports.ts';

const hangingThread = new URL('../fixtures/hanging-policy-worker.mjs', import.meta.url);
const failingThread = new URL('../fixtures/failing-policy-worker.mjs', import.meta.url);
const slowThread = new URL('../fixtures/slow-starting-policy-worker.mjs', import.meta.url);
const HANGING_CLAVE = 'cuelga-para-siempre'; // the one clave the hanging thread never answers
const STRONG = 'tigre-Nube-87-calle';
const personal = { cedula: '1710034065', nombres: 'José Luis', apellidos: 'Pérez Del Pozo', fechaNacimiento: '1985-03-15', instituteName: 'Instituto Ecuatoriano de Seguridad Social' };
const settings = { minLength: 8, classesBelow: 15 };
const QUEUE_LIMIT = 100;
// Counted from when the thread is ready: its start (0.3 s, past 3 s on a slow 2-core
// machine running the suite two files at a time) is not.
const TIMEOUT_MS = 3_000;
const PAST_FIRST_BACKOFF_MS = 1_100;
// Without a deadline a stuck check never settles: the test must fail, not hang.
const LIMIT = { timeout: 30_000 };

const check = (policy: ClavePolicyRunner, password: string) => policy.check(password, password, personal, settings);
// CLV-090, 503 with Retry-After: the errors plugin answers every Overloaded that way.
const unavailable = (error: unknown) => error instanceof ClavePolicyUnavailable && error instanceof Overloaded;

// The fixture threads note their starts and heartbeats in a fresh file per test.
let log: string;
beforeEach(() => {
  log = join(mkdtempSync(join(tmpdir(), 'clave-policy-')), 'threads.log');
  process.env.CLAVE_POLICY_FIXTURE_LOG = log;
});
const noted = (line: 'start' | 'ready' | 'stuck') => (existsSync(log) ? readFileSync(log, 'utf8') : '').split('\n').filter((entry) => entry === line).length;

test('a check with no answer by the deadline fails as unavailable, with those queued behind it, and the stuck thread is stopped', LIMIT, async () => {
  const policy = createClavePolicy({ workers: 1, timeoutMs: TIMEOUT_MS, queueLimit: QUEUE_LIMIT, workerEntry: hangingThread });
  try {
    const stuck = check(policy, HANGING_CLAVE);
    const queued = check(policy, STRONG);
    await assert.rejects(stuck, unavailable);
    await assert.rejects(queued, unavailable);
    await sleep(100);
    const heartbeats = noted('stuck');
    assert.ok(heartbeats > 0, 'the thread was stuck on the clave');
    await sleep(300);
    assert.equal(noted('stuck'), heartbeats, 'the stuck thread no longer runs');
  } finally {
    await policy.close();
  }
});

/** Resolves once `done()` holds (the test's LIMIT ends a wait that never does). */
async function until(done: () => boolean): Promise<void> {
  while (!done()) await sleep(20);
}

/** The Retry-After a refused check would be answered with. */
async function retryAfter(policy: ClavePolicyRunner): Promise<number> {
  const error = await check(policy, STRONG).then(
    () => assert.fail('the check was answered'),
    (refused: unknown) => refused,
  );
  assert.ok(unavailable(error));
  return (error as Overloaded).retryAfterSeconds;
}

test('a thread that cannot start is not started on every check: the wait doubles, and Retry-After tells it', LIMIT, async () => {
  const policy = createClavePolicy({ workers: 1, timeoutMs: TIMEOUT_MS, queueLimit: QUEUE_LIMIT, workerEntry: failingThread });
  try {
    await assert.rejects(check(policy, STRONG), unavailable);
    for (let i = 0; i < 3; i++) assert.equal(await retryAfter(policy), 1);
    assert.equal(noted('start'), 1, 'one start in the first second');
    await sleep(PAST_FIRST_BACKOFF_MS);
    await assert.rejects(check(policy, STRONG), unavailable);
    assert.equal(noted('start'), 2);
    assert.equal(await retryAfter(policy), 2, 'the second wait is two seconds');
    await sleep(PAST_FIRST_BACKOFF_MS);
    assert.equal(await retryAfter(policy), 1);
    assert.equal(noted('start'), 2, 'the second wait is two seconds');
  } finally {
    await policy.close();
  }
});

test('after a thread dies checks fail at once for a second, then a fresh thread answers; that answer resets the wait', LIMIT, async () => {
  const policy = createClavePolicy({ workers: 1, timeoutMs: TIMEOUT_MS, queueLimit: QUEUE_LIMIT, workerEntry: hangingThread });
  const verdict = checkPassword(STRONG, STRONG, personal, settings);
  try {
    await assert.rejects(check(policy, HANGING_CLAVE), unavailable);
    await assert.rejects(check(policy, STRONG), unavailable);
    assert.equal(noted('start'), 1, 'no new thread during the back-off');
    await sleep(PAST_FIRST_BACKOFF_MS);
    assert.deepEqual(await check(policy, STRONG), verdict);
    assert.equal(noted('start'), 2);
    // Had the answer not reset it, this second death would hold new threads back for 2 s.
    await assert.rejects(check(policy, HANGING_CLAVE), unavailable);
    await sleep(PAST_FIRST_BACKOFF_MS);
    assert.deepEqual(await check(policy, STRONG), verdict);
  } finally {
    await policy.close();
  }
});

test('a thread slow to start does not spend the deadline of the checks waiting for it', LIMIT, async () => {
  // Twice the deadline to load: the check's time starts when the thread is ready.
  process.env.CLAVE_POLICY_SLOW_START_MS = '2000';
  const policy = createClavePolicy({ workers: 1, timeoutMs: 1_000, queueLimit: QUEUE_LIMIT, workerEntry: slowThread });
  try {
    assert.deepEqual(await check(policy, STRONG), checkPassword(STRONG, STRONG, personal, settings));
  } finally {
    await policy.close();
  }
});

test('a thread that never gets ready is stopped, and its checks fail as unavailable', LIMIT, async () => {
  process.env.CLAVE_POLICY_SLOW_START_MS = '60000';
  const policy = createClavePolicy({ workers: 1, timeoutMs: 1_000, queueLimit: QUEUE_LIMIT, workerEntry: slowThread, startTimeoutMs: 1_500 });
  try {
    await assert.rejects(check(policy, STRONG), (error) => unavailable(error) && /not ready within 1500 ms/.test((error as Error).message));
    assert.equal(noted('start'), 1);
  } finally {
    await policy.close();
  }
});

test('start() loads the threads before any clave is checked, once however often it is called', LIMIT, async () => {
  process.env.CLAVE_POLICY_SLOW_START_MS = '0';
  const policy = createClavePolicy({ workers: 2, timeoutMs: TIMEOUT_MS, queueLimit: QUEUE_LIMIT, workerEntry: slowThread });
  try {
    policy.start();
    policy.start();
    await until(() => policy.readyThreads === 2);
    assert.equal(noted('start'), 2);
    assert.deepEqual(await check(policy, STRONG), checkPassword(STRONG, STRONG, personal, settings));
    assert.equal(noted('start'), 2, 'the check went to a thread already started');
  } finally {
    await policy.close();
  }
});

test('checks go to a ready thread, even a busy one, rather than to one still loading', LIMIT, async () => {
  // The second thread to start would take a minute; it is stopped at its start deadline.
  process.env.CLAVE_POLICY_SLOW_START_MS = '0,60000';
  const policy = createClavePolicy({ workers: 2, timeoutMs: TIMEOUT_MS, queueLimit: QUEUE_LIMIT, workerEntry: slowThread });
  const verdict = checkPassword(STRONG, STRONG, personal, settings);
  try {
    policy.start();
    await until(() => policy.readyThreads === 1 && noted('start') === 2);
    assert.deepEqual(await Promise.all([check(policy, STRONG), check(policy, STRONG)]), [verdict, verdict]);
    assert.equal(noted('ready'), 1, 'both were answered while the other thread was still loading');
  } finally {
    await policy.close();
  }
});

/** Whether `work` is refused at once (within 200 ms) rather than left waiting. */
async function refusedAtOnce(work: Promise<unknown>): Promise<boolean> {
  return Promise.race([work.then(() => false, () => true), sleep(200).then(() => false)]);
}

test("past PASSWORD_CHECK_QUEUE_LIMIT a save is refused at once; the live meter's advice never queues on a busy thread", LIMIT, async () => {
  const policy = createClavePolicy({ workers: 1, timeoutMs: 20_000, queueLimit: 20, workerEntry: hangingThread });
  const held: Promise<unknown>[] = [];
  const hold = (work: Promise<unknown>) => {
    held.push(work.catch(() => undefined));
    return work;
  };
  try {
    hold(check(policy, HANGING_CLAVE));
    const started = Date.now();
    await assert.rejects(policy.check(STRONG, STRONG, personal, settings, { advice: true }), unavailable, 'a busy thread: the meter waits for it to be idle, then gives up');
    assert.ok(Date.now() - started >= 900, 'it waited about a second, off the thread');
    for (let waiting = 1; waiting < 19; waiting++) hold(check(policy, STRONG));
    assert.equal(await refusedAtOnce(hold(check(policy, STRONG))), false, 'the twentieth save still queues: no advice took a place');
    assert.equal(await refusedAtOnce(hold(check(policy, STRONG))), true, 'twenty waiting: a save is refused at once, not queued');
  } finally {
    await policy.close();
    await Promise.all(held);
  }
});

test('without check threads the live meter is off: its checks would run on the event loop', async () => {
  const policy = createClavePolicy({ workers: 0, timeoutMs: TIMEOUT_MS, queueLimit: QUEUE_LIMIT });
  await assert.rejects(policy.check(STRONG, STRONG, personal, settings, { advice: true }), unavailable);
  assert.deepEqual((await check(policy, STRONG)).violations, [], 'saves are checked as ever');
});
