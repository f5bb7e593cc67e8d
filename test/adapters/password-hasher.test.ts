import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hash as rawHash } from '@node-rs/argon2';
import { createPasswordHasher, turnstile, type Argon2Settings } from '../../src/adapters/password-hasher.ts';
import { Abandoned, Overloaded } from '../../src/services/ports.ts';

// Small enough to keep the suite fast; one test uses the real defaults.
const small: Argon2Settings = { memoryKib: 8192, iterations: 1, parallelism: 1 };
const hasher = createPasswordHasher(small);
const SEED = Buffer.alloc(32, 7);

test('hash produces an argon2id PHC string with the configured parameters', async () => {
  const stored = await hasher.hash('tigre-Nube-87-calle');
  assert.match(stored, /^\$argon2id\$v=19\$m=8192,t=1,p=1\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$/);
  assert.notEqual(await hasher.hash('tigre-Nube-87-calle'), stored, 'each hash has its own salt');
});

test('verify: round trip true, wrong clave false', async () => {
  const stored = await hasher.hash('Ñandú-verde-42');
  assert.equal(await hasher.verify(stored, 'Ñandú-verde-42'), true);
  assert.equal(await hasher.verify(stored, 'Ñandú-verde-43'), false);
  assert.equal(await hasher.verify(stored, ''), false);
});

test('verify returns false, never throws, for a malformed hash', async () => {
  const stored = await hasher.hash('tigre-Nube-87-calle');
  for (const bad of ['', 'nonsense', stored.slice(0, -10), '$argon2id$v=19$m=8192,t=1,p=1$zz', '$bcrypt$x']) {
    assert.equal(await hasher.verify(bad, 'tigre-Nube-87-calle'), false, JSON.stringify(bad));
  }
});

test('verifyDummy always answers false, for any input', async () => {
  assert.equal(await hasher.verifyDummy('tigre-Nube-87-calle', SEED), false);
  assert.equal(await hasher.verifyDummy('', SEED), false);
  assert.equal(await hasher.verifyDummy('tigre-Nube-87-calle', Buffer.alloc(32, 0xff)), false);
});

test('needsRehash compares m, t and p with the settings', async () => {
  const stored = await hasher.hash('tigre-Nube-87-calle');
  assert.equal(hasher.needsRehash(stored), false);
  assert.equal(createPasswordHasher({ ...small, memoryKib: 16384 }).needsRehash(stored), true);
  assert.equal(createPasswordHasher({ ...small, iterations: 2 }).needsRehash(stored), true);
  assert.equal(createPasswordHasher({ ...small, parallelism: 2 }).needsRehash(stored), true);
  assert.equal(hasher.needsRehash('nonsense'), true);
});

test('needsRehash flags a hash made with another argon2 variant', async () => {
  const argon2i = await rawHash('tigre-Nube-87-calle', { memoryCost: 8192, timeCost: 1, parallelism: 1, algorithm: 1 });
  assert.match(argon2i, /^\$argon2i\$/);
  assert.equal(hasher.needsRehash(argon2i), true);
});

test('a hash made with old settings still verifies after the settings change', async () => {
  const stored = await hasher.hash('tigre-Nube-87-calle');
  const newer = createPasswordHasher({ ...small, iterations: 2 });
  assert.equal(await newer.verify(stored, 'tigre-Nube-87-calle'), true);
  assert.equal(newer.needsRehash(stored), true);
});

test('the real defaults (19456 KiB, t=2, p=1) round-trip', async () => {
  const real = createPasswordHasher({ memoryKib: 19456, iterations: 2, parallelism: 1 });
  const stored = await real.hash('tigre-Nube-87-calle');
  assert.match(stored, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
  assert.equal(await real.verify(stored, 'tigre-Nube-87-calle'), true);
  assert.equal(await real.verify(stored, 'tigre-nube-87-calle'), false);
  assert.equal(await real.verifyDummy('tigre-Nube-87-calle', SEED), false);
  assert.equal(real.needsRehash(stored), false);
  assert.equal(hasher.needsRehash(stored), true);
});

test('the turnstile lets at most its limit run at once and the others in arrival order', async () => {
  const inTurn = turnstile(2);
  const started: number[] = [];
  const finish = new Map<number, () => void>();
  const task = (id: number) =>
    inTurn(async () => {
      started.push(id);
      await new Promise<void>((resolve) => finish.set(id, resolve));
      return id;
    });
  const results = [1, 2, 3, 4].map(task);
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(started, [1, 2], 'two run, two wait');
  finish.get(2)!();
  assert.equal(await results[1], 2);
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(started, [1, 2, 3], 'a finished task lets the first waiting one in');
  finish.get(1)!();
  finish.get(3)!();
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(started, [1, 2, 3, 4]);
  finish.get(4)!();
  assert.deepEqual(await Promise.all(results), [1, 2, 3, 4]);
});

test('past its queue limit the turnstile refuses at once (Overloaded), and takes work again when there is room', async () => {
  const inTurn = turnstile(1, 1);
  let release!: () => void;
  const running = inTurn(() => new Promise<void>((resolve) => (release = resolve)));
  const waiting = inTurn(async () => 'waited');
  await assert.rejects(inTurn(async () => 'shed'), Overloaded);
  release();
  await running;
  assert.equal(await waiting, 'waited');
  assert.equal(await inTurn(async () => 'again'), 'again');
});

test('a task whose client hangs up while it waits leaves the line; once started, it runs and frees its place', async () => {
  const inTurn = turnstile(1);
  let release!: () => void;
  const ran: string[] = [];
  const first = inTurn(() => new Promise<void>((resolve) => (release = resolve)));
  const gone = new AbortController();
  const leaving = inTurn(async () => void ran.push('left'), gone.signal);
  const stays = new AbortController();
  const staying = inTurn(async () => void ran.push('stayed'), stays.signal);
  gone.abort();
  await assert.rejects(leaving, Abandoned);
  release();
  await first;
  await staying;
  stays.abort(); // after its turn came: nothing to take back
  assert.deepEqual(ran, ['stayed']);
  await assert.rejects(inTurn(async () => 'never', gone.signal), Abandoned, 'already gone: not even queued');
  assert.equal(await inTurn(async () => 'next'), 'next', 'no place was lost');
});

test('a failing task frees its place in the turnstile', async () => {
  const inTurn = turnstile(1);
  await assert.rejects(inTurn(() => Promise.reject(new Error('argon2 failed'))));
  assert.equal(await inTurn(async () => 'next'), 'next');
});

test('the hasher with concurrency 1 still answers many requests at once correctly', async () => {
  const one = createPasswordHasher({ ...small, concurrency: 1 });
  const stored = await one.hash('tigre-Nube-87-calle');
  const answers = await Promise.all(['tigre-Nube-87-calle', 'otra', 'tigre-Nube-87-calle', ''].map((clave) => one.verify(stored, clave)));
  assert.deepEqual(answers, [true, false, true, false]);
});
