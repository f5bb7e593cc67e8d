import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { createServer as createTcpServer, type Socket } from 'node:net';
import { backends } from '../support/backends.ts';
import { startTestClave, type TestClave } from '../support/clave.ts';
import { testClock } from '../support/clock.ts';
import { giveClave, loadDemoRegistry, verifiedPeople } from '../support/journey.ts';
import { logSink } from '../support/secret-journeys.ts';
import { createLogger } from '../../src/adapters/logger.ts';

interface Received {
  body: { to: string; text: string; id: string };
  idempotencyKey: string | undefined;
}

/** A stand-in SMS gateway on loopback: answers 500 to the first request, 200 after. */
async function gateway(): Promise<{ server: Server; url: string; received: Received[] }> {
  const received: Received[] = [];
  let calls = 0;
  const server = createServer((request, response) => {
    let raw = '';
    request.on('data', (chunk) => (raw += chunk));
    request.on('end', () => {
      calls++;
      received.push({ body: JSON.parse(raw), idempotencyKey: request.headers['idempotency-key'] as string | undefined });
      response.statusCode = calls === 1 ? 500 : 200;
      response.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as { port: number }).port}/sms`, received };
}

describe('security notices by SMS through an HTTP gateway', () => {
  let clave: TestClave;
  let stand: Awaited<ReturnType<typeof gateway>>;
  const clock = testClock();
  const person = verifiedPeople().find((p) => p.affiliate.celular)!;

  before(async () => {
    stand = await gateway();
    clave = await startTestClave(backends()[0]!, { CAPTCHA_MAX_NUMBER: '1000', SMS_WEBHOOK_URL: stand.url }, { clock: clock.now });
    await loadDemoRegistry(clave);
  });
  after(async () => {
    await clave.dispose();
    stand.server.close();
  });

  test('the clave-changed notice reaches the gateway as JSON, and is retried after a 500', async () => {
    await giveClave(clave, person, 'mar-Calmo-64-lancha');
    await clave.settle();
    assert.equal(stand.received.length, 1, 'first attempt, refused with 500');
    clock.advance(10_000);
    await clave.settle();
    assert.equal(stand.received.length, 2, 'retried after the back-off');
    const [first, second] = stand.received;
    assert.deepEqual(second, first, 'the same message, with the same id');
    assert.equal(second!.body.to, `+593${person.affiliate.celular!.slice(1)}`);
    assert.match(second!.body.text, /Instituto de Prueba: su clave personal fue creada/);
    assert.doesNotMatch(second!.body.text, /mar-Calmo|token|http/, 'no clave and no link in an SMS');
    assert.equal(second!.idempotencyKey, second!.body.id);
    const [row] = await clave.db.query<{ attempts: number; sent: boolean }>("SELECT attempts, sent_at IS NOT NULL AS sent FROM outbox WHERE channel = 'sms'");
    assert.deepEqual(row, { attempts: 2, sent: true });
  });
});

describe('a gateway that wants user:password (Basic authentication)', () => {
  const person = verifiedPeople().find((p) => p.affiliate.celular)!;

  test('user:password in SMS_WEBHOOK_URL is sent as an Authorization: Basic header, not in the URL', async () => {
    const seen: { url: string | undefined; authorization: string | undefined }[] = [];
    const server = createServer((request, response) => {
      seen.push({ url: request.url, authorization: request.headers.authorization });
      request.resume().on('end', () => response.end());
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    const clave = await startTestClave(backends()[0]!, { CAPTCHA_MAX_NUMBER: '1000', SMS_WEBHOOK_URL: `http://gw-user:p%40ss%3Aword@127.0.0.1:${port}/sms` });
    try {
      await loadDemoRegistry(clave);
      await giveClave(clave, person, 'mar-Calmo-64-lancha');
      await clave.settle();
      assert.deepEqual(seen, [{ url: '/sms', authorization: `Basic ${Buffer.from('gw-user:p@ss:word').toString('base64')}` }]);
      const [row] = await clave.db.query<{ sent: boolean; last_error: string | null }>("SELECT sent_at IS NOT NULL AS sent, last_error FROM outbox WHERE channel = 'sms'");
      assert.deepEqual(row, { sent: true, last_error: null });
    } finally {
      await clave.dispose();
      server.close();
    }
  });

  test('when the gateway cannot be reached, neither last_error nor the logs hold its password or key', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as { port: number };
    await new Promise((resolve) => closed.close(resolve));
    const { stream, logText } = logSink();
    const clave = await startTestClave(
      backends()[0]!,
      { CAPTCHA_MAX_NUMBER: '1000', SMS_WEBHOOK_URL: `http://gw-user:s3cret-pass@127.0.0.1:${port}/sms?key=s3cret-key` },
      { logger: createLogger('trace', stream) },
    );
    try {
      await loadDemoRegistry(clave);
      await giveClave(clave, person, 'mar-Calmo-64-lancha');
      await clave.settle();
      const [row] = await clave.db.query<{ last_error: string | null }>("SELECT last_error FROM outbox WHERE channel = 'sms'");
      assert.match(row!.last_error ?? '', /^SMS gateway could not be reached \(ECONNREFUSED\)$/);
      assert.doesNotMatch(logText(), /s3cret/);
      // Down, not refusing: after many tries the next one is still due within 30 s, not 15 minutes.
      await clave.db.query("UPDATE outbox SET attempts = 8, available_at = now() WHERE channel = 'sms'");
      await clave.settle();
      const [retry] = await clave.db.query<{ in_seconds: number }>("SELECT extract(epoch FROM available_at - now())::float AS in_seconds FROM outbox WHERE channel = 'sms'");
      assert.ok(retry!.in_seconds <= 31, `tried again in ${retry!.in_seconds} s`);
    } finally {
      await clave.dispose();
    }
  });
});

/**
 * Sends the clave-changed SMS through a gateway at `url` once, as its 8th try (a single
 * try: one that hangs costs the adapter's whole 5 s timeout, which is not configurable).
 * Returns the error stored and how soon the next try is due: within 30 s while the
 * gateway is away, against 640 s for a gateway that refused the message.
 */
async function eighthTry(url: string): Promise<{ lastError: string | null; inSeconds: number }> {
  const clave = await startTestClave(backends()[0]!, { CAPTCHA_MAX_NUMBER: '1000', SMS_WEBHOOK_URL: url });
  try {
    await loadDemoRegistry(clave);
    await giveClave(clave, verifiedPeople().find((p) => p.affiliate.celular)!, 'mar-Calmo-64-lancha');
    // Queued, not tried yet: the test Clave's worker sends only when told to settle.
    await clave.db.query("UPDATE outbox SET attempts = 7 WHERE channel = 'sms'");
    await clave.settle();
    const [row] = await clave.db.query<{ attempts: number; last_error: string | null; in_seconds: number }>(
      "SELECT attempts, last_error, extract(epoch FROM available_at - now())::float AS in_seconds FROM outbox WHERE channel = 'sms'",
    );
    assert.equal(row!.attempts, 8, 'tried once');
    return { lastError: row!.last_error, inSeconds: row!.in_seconds };
  } finally {
    await clave.dispose();
  }
}

describe('a gateway that gives no answer at all is away, as one that refuses the connection is', () => {
  test('a host name that does not resolve: tried again within 30 s', async () => {
    // .invalid never resolves (RFC 6761), with or without a network.
    const { lastError, inSeconds } = await eighthTry('http://sms.invalid:8080/sms');
    assert.match(lastError ?? '', /^SMS gateway could not be reached \((ENOTFOUND|EAI_AGAIN)\)$/);
    assert.ok(inSeconds <= 31, `tried again in ${inSeconds} s`);
  });

  test('a gateway that takes the connection and never answers: given up on after the timeout, tried again within 30 s', async () => {
    const sockets = new Set<Socket>();
    const silent = createTcpServer((socket) => void sockets.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const { lastError, inSeconds } = await eighthTry(`http://127.0.0.1:${(silent.address() as { port: number }).port}/sms`);
      assert.equal(lastError, 'SMS gateway could not be reached (TimeoutError)');
      assert.ok(sockets.size > 0, 'the gateway took the connection');
      assert.ok(inSeconds <= 31, `tried again in ${inSeconds} s`);
    } finally {
      for (const socket of sockets) socket.destroy();
      silent.close();
    }
  });
});

describe('without a gateway, SMS shows in the development mailbox', () => {
  test('the notice is listed at /dev/correo', async () => {
    const clave = await startTestClave(backends()[0]!, { CAPTCHA_MAX_NUMBER: '1000' });
    try {
      await loadDemoRegistry(clave);
      const person = verifiedPeople().find((p) => p.affiliate.celular)!;
      await giveClave(clave, person, 'mar-Calmo-64-lancha');
      await clave.settle();
      const sms = clave.catcher!.list().find((m) => m.from === 'SMS');
      assert.ok(sms);
      assert.match((await clave.web.inject('/dev/correo')).body, /SMS: /);
    } finally {
      await clave.dispose();
    }
  });
});
