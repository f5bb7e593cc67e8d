import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer, type AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import { createThrottle } from '../../src/adapters/throttle.ts';
import { backends } from '../support/backends.ts';
import { startTestClave } from '../support/clave.ts';
import { apiCaptcha, UNKNOWN_CEDULA } from '../support/journey.ts';
import { connectRedis, redisUrl } from '../support/redis.ts';
import { visibleText } from '../support/browserless.ts';
import { retryTimes } from '../support/clock.ts';

const url = redisUrl();
const stores: { name: string; redis: () => Redis | undefined }[] = [{ name: 'in-process', redis: () => undefined }];
const clients: Redis[] = [];
if (url) stores.push({ name: 'Redis', redis: () => { const client = connectRedis(url); clients.push(client); return client; } });
after(() => clients.forEach((client) => client.disconnect()));

/** A local port nothing listens on: a Redis that is away. */
async function closedPort(): Promise<number> {
  const closed = createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  const { port } = closed.address() as AddressInfo;
  await new Promise((resolve) => closed.close(resolve));
  return port;
}

/**
 * Ends the window (deletes the count) as soon as Redis answers the client's next command,
 * before the client can send another: the moment a refund that reads, then writes, loses its check.
 */
function endWindowAfterNextReply(client: Redis, key: string): void {
  const send = client.sendCommand.bind(client);
  client.sendCommand = (command, stream) => {
    client.sendCommand = send;
    const endWindow = () => void client.del(key);
    command.promise.then(endWindow, endWindow);
    return send(command, stream);
  };
}

/** A fresh address per test, so counts left in Redis by earlier runs never interfere. */
const freshIp = () => `10.${randomBytes(1)[0]}.${randomBytes(1)[0]}.${randomBytes(1)[0]}`;

for (const store of stores) {
  describe(`throttles, ${store.name}`, () => {
    test('a bucket allows its points per window, then says how long to wait; keys and buckets are separate', async () => {
      const bucket = `test_${randomBytes(4).toString('hex')}`;
      const throttle = createThrottle({ [bucket]: { points: 3, durationSeconds: 60 } }, { redis: store.redis(), keySecret: 'k', ipv6PrefixBits: 64 });
      const results = [];
      for (let i = 0; i < 4; i++) results.push(await throttle.consume(bucket, 'a'));
      assert.deepEqual(results.map((r) => r.allowed), [true, true, true, false]);
      assert.ok(results[3]!.retryAfterSeconds > 0 && results[3]!.retryAfterSeconds <= 60);
      assert.equal((await throttle.consume(bucket, 'b')).allowed, true);
      assert.equal((await throttle.consume('no_such_bucket', 'a')).allowed, true);
    });

    test('a refund gives one unit back to that key only', async () => {
      const bucket = `test_${randomBytes(4).toString('hex')}`;
      const throttle = createThrottle({ [bucket]: { points: 1, durationSeconds: 60 } }, { redis: store.redis(), keySecret: 'k', ipv6PrefixBits: 64 });
      assert.equal((await throttle.consume(bucket, 'a')).allowed, true);
      assert.equal((await throttle.consume(bucket, 'b')).allowed, true);
      // At once, as two replays refused together would ask: one spent unit comes back once.
      await Promise.all([throttle.refund(bucket, 'a'), throttle.refund(bucket, 'a')]);
      assert.equal((await throttle.consume(bucket, 'a')).allowed, true);
      assert.equal((await throttle.consume(bucket, 'a')).allowed, false, 'a second refund has no spent unit to give back');
      assert.equal((await throttle.consume(bucket, 'b')).allowed, false);
      await throttle.refund('no_such_bucket', 'a');
    });

    test('a refund that comes after its window ended gives the next window nothing extra', async () => {
      const bucket = `test_${randomBytes(4).toString('hex')}`;
      const throttle = createThrottle({ [bucket]: { points: 2, durationSeconds: 1 } }, { redis: store.redis(), keySecret: 'k', ipv6PrefixBits: 64 });
      await throttle.consume(bucket, 'a');
      await throttle.consume(bucket, 'a');
      await new Promise((resolve) => setTimeout(resolve, 1100));
      await throttle.refund(bucket, 'a');
      await throttle.refund(bucket, 'a');
      const results = [];
      for (let i = 0; i < 3; i++) results.push((await throttle.consume(bucket, 'a')).allowed);
      assert.deepEqual(results, [true, true, false]);
    });

    test('an IPv6 client is counted per /64 (THROTTLE_IPV6_PREFIX); IPv4-mapped addresses as IPv4', async () => {
      const bucket = `test_${randomBytes(4).toString('hex')}`;
      const network = `2001:db8:${randomBytes(2).toString('hex')}:1`;
      const throttle = createThrottle({ [bucket]: { points: 2, durationSeconds: 60 } }, { redis: store.redis(), keySecret: 'k', ipv6PrefixBits: 64 });
      assert.equal((await throttle.consume(bucket, `${network}::1`)).allowed, true);
      assert.equal((await throttle.consume(bucket, `${network}:ffff:ffff:ffff:ffff`)).allowed, true);
      assert.equal((await throttle.consume(bucket, `${network}:0:0:0:abcd`)).allowed, false, 'a third address of the same /64');
      assert.equal((await throttle.consume(bucket, `${network.slice(0, -1)}2::1`)).allowed, true, 'the next /64 is another client');
      const ipv4 = freshIp();
      assert.equal((await throttle.consume(bucket, ipv4)).allowed, true);
      assert.equal((await throttle.consume(bucket, `::ffff:${ipv4}`)).allowed, true);
      assert.equal((await throttle.consume(bucket, ipv4)).allowed, false, 'the mapped form is the same address');
      const other = freshIp();
      const [a, b, c, d] = other.split('.').map(Number) as [number, number, number, number];
      const spelled = `0:0:0:0:0:FFFF:${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
      assert.equal((await throttle.consume(bucket, spelled)).allowed, true);
      assert.equal((await throttle.consume(bucket, other)).allowed, true);
      assert.equal((await throttle.consume(bucket, other)).allowed, false, 'a mapped address spelled in full is that IPv4 address too');
      const exact = createThrottle({ [bucket]: { points: 1, durationSeconds: 60 } }, { redis: store.redis(), keySecret: 'other', ipv6PrefixBits: 128 });
      assert.equal((await exact.consume(bucket, `${network}::1`)).allowed, true);
      assert.equal((await exact.consume(bucket, `${network}::2`)).allowed, true, 'with 128 bits every address counts alone');
    });

    test('flow starts from one connection: CLV-004 with Retry-After, pages and API alike', async () => {
      const env: Record<string, string> = { CAPTCHA_MAX_NUMBER: '1000', FLOW_STARTS_PER_IP: '2' };
      if (store.name === 'Redis') env.REDIS_URL = url!;
      const clave = await startTestClave(backends()[0]!, env);
      try {
        const remoteAddress = freshIp();
        const start = async () =>
          clave.web.inject({ method: 'POST', url: '/api/v1/flows', remoteAddress, payload: { kind: 'recover', cedula: UNKNOWN_CEDULA, captcha: await apiCaptcha(clave) } });
        assert.equal((await start()).statusCode, 201);
        assert.equal((await start()).statusCode, 201);
        const refused = await start();
        assert.equal(refused.statusCode, 429);
        assert.equal(refused.json().error.code, 'CLV-004');
        assert.ok(Number(refused.headers['retry-after']) > 0);
        const other = await clave.web.inject({ method: 'POST', url: '/api/v1/flows', remoteAddress: freshIp(), payload: { kind: 'recover', cedula: UNKNOWN_CEDULA, captcha: await apiCaptcha(clave) } });
        assert.equal(other.statusCode, 201, 'another connection is not affected');
      } finally {
        await clave.dispose();
      }
    });

    test('the help page and 404s are throttled too', async () => {
      const env: Record<string, string> = { HELP_PER_IP: '2', NOT_FOUND_PER_IP: '2' };
      if (store.name === 'Redis') env.REDIS_URL = url!;
      const clave = await startTestClave(backends()[0]!, env);
      try {
        const remoteAddress = freshIp();
        const statuses = async (path: string) => Promise.all([1, 2, 3].map(() => clave.web.inject({ url: path, remoteAddress }).then((r) => r.statusCode)));
        assert.deepEqual((await statuses('/ayuda/errores?q=captcha')).sort(), [200, 200, 429]);
        assert.deepEqual((await statuses('/no-existe')).sort(), [404, 404, 429]);
        // The page says when to try again, from Retry-After, as a clock time.
        const asked = Date.now();
        const refused = await clave.web.inject({ url: '/no-existe', remoteAddress });
        assert.equal(refused.statusCode, 429);
        const told = /Podrá volver a intentarlo a partir de las (\d\d:\d\d) \(hora de Ecuador\)\./.exec(visibleText(refused.body))?.[1];
        assert.ok(told && retryTimes(asked, Number(refused.headers['retry-after'])).includes(told), `${told} for Retry-After ${refused.headers['retry-after']}`);
      } finally {
        await clave.dispose();
      }
    });
  });
}

test('in-process: a refund once the window has ended, before the count\'s timer has removed it, gives the next window nothing extra', async (t) => {
  // Only the clock moves: the count's removal timer (real, 60 s) has not run, as between a window's end and that timer.
  t.mock.timers.enable({ apis: ['Date'] });
  const bucket = `test_${randomBytes(4).toString('hex')}`;
  const throttle = createThrottle({ [bucket]: { points: 2, durationSeconds: 60 } }, { keySecret: 'k', ipv6PrefixBits: 64 });
  await throttle.consume(bucket, 'a');
  await throttle.consume(bucket, 'a');
  t.mock.timers.tick(60_000);
  await throttle.refund(bucket, 'a');
  const results = [];
  for (let i = 0; i < 3; i++) results.push((await throttle.consume(bucket, 'a')).allowed);
  assert.deepEqual(results, [true, true, false]);
});

test('a refund while Redis is away gives the unit back on the instance\'s own count, and does not fail', async () => {
  const client = new Redis(`redis://127.0.0.1:${await closedPort()}`, { maxRetriesPerRequest: 1, enableOfflineQueue: false });
  client.on('error', () => undefined); // away on purpose
  try {
    const bucket = `test_${randomBytes(4).toString('hex')}`;
    const throttle = createThrottle({ [bucket]: { points: 1, durationSeconds: 60 } }, { redis: client, keySecret: 'k', ipv6PrefixBits: 64 });
    assert.equal((await throttle.consume(bucket, 'a')).allowed, true);
    await throttle.refund(bucket, 'a');
    assert.equal((await throttle.consume(bucket, 'a')).allowed, true);
    assert.equal((await throttle.consume(bucket, 'a')).allowed, false);
  } finally {
    client.disconnect();
  }
});

test('with Redis down at start, the instance serves and counts on its own', async () => {
  const clave = await startTestClave(backends()[0]!, { LOGIN_ATTEMPTS_PER_IP: '2', REDIS_URL: `redis://127.0.0.1:${await closedPort()}` });
  try {
    const remoteAddress = freshIp();
    const login = () => clave.web.inject({ method: 'POST', url: '/api/v1/sessions', remoteAddress, payload: { cedula: UNKNOWN_CEDULA, password: 'x' } });
    assert.equal((await login()).statusCode, 401);
    assert.equal((await login()).statusCode, 401);
    assert.equal((await login()).json().error.code, 'CLV-043');
  } finally {
    await clave.dispose();
  }
});

if (url) {
  test('Redis keys hold no cédula, e-mail address or IP in clear', async () => {
    const client = connectRedis(url);
    try {
      const bucket = `test_${randomBytes(4).toString('hex')}`;
      const throttle = createThrottle({ [bucket]: { points: 5, durationSeconds: 60 } }, { redis: client, keySecret: 'k', ipv6PrefixBits: 64 });
      const keys = ['1710034065', 'ana.perez@correo.example', '10.1.2.3', '2001:db8:5:6::7'];
      for (const key of keys) assert.equal((await throttle.consume(bucket, key)).allowed, true);
      const stored = await client.keys(`clave:${bucket}*`);
      assert.equal(stored.length, keys.length);
      for (const key of [...keys, '2001', '0db8', 'correo']) assert.ok(stored.every((name) => !name.includes(key)), `${key} in ${stored.join(', ')}`);
    } finally {
      client.disconnect();
    }
  });

  test('Redis: a refund whose window ends while it runs gives the next window nothing extra', async () => {
    const client = connectRedis(url);
    try {
      const bucket = `test_${randomBytes(4).toString('hex')}`;
      const throttle = createThrottle({ [bucket]: { points: 2, durationSeconds: 60 } }, { redis: client, keySecret: 'k', ipv6PrefixBits: 64 });
      await throttle.consume(bucket, 'a');
      await throttle.consume(bucket, 'a');
      const [key] = await client.keys(`clave:${bucket}:*`);
      endWindowAfterNextReply(client, key!);
      await throttle.refund(bucket, 'a');
      assert.equal(await client.exists(key!), 0, 'the refund left no count behind');
      const results = [];
      for (let i = 0; i < 3; i++) results.push((await throttle.consume(bucket, 'a')).allowed);
      assert.deepEqual(results, [true, true, false]);
    } finally {
      client.disconnect();
    }
  });

  test('instances sharing Redis share the counts', async () => {
    // Instances share SECRET_KEY, as production requires: throttle keys are HMACs under it.
    const env = { CAPTCHA_MAX_NUMBER: '1000', LOGIN_ATTEMPTS_PER_IP: '2', REDIS_URL: url, SECRET_KEY: randomBytes(32).toString('hex') };
    const [first, second] = await Promise.all([startTestClave(backends()[0]!, env), startTestClave(backends()[0]!, env)]);
    try {
      const remoteAddress = freshIp();
      const login = (clave: typeof first) => clave.web.inject({ method: 'POST', url: '/api/v1/sessions', remoteAddress, payload: { cedula: UNKNOWN_CEDULA, password: 'x' } });
      assert.equal((await login(first)).statusCode, 401);
      assert.equal((await login(second)).statusCode, 401);
      assert.equal((await login(first)).json().error.code, 'CLV-043');
    } finally {
      await Promise.all([first.dispose(), second.dispose()]);
    }
  });
}
