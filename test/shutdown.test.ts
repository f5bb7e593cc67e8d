import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { backends } from './support/backends.ts';
import { startTestClave, TEST_ENV } from './support/clave.ts';
import { createClave } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';

/** A Clave listening on loopback with GET /prueba/lenta, which answers only once released. */
async function servingSlowRoute() {
  const clave = await startTestClave(backends()[0]!);
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  clave.web.get('/prueba/lenta', async () => {
    await gate;
    return { done: true };
  });
  await clave.web.listen({ port: 0, host: '127.0.0.1' });
  const { port } = clave.web.server.address() as { port: number };
  return { clave, port, release };
}

test('closing finishes the request in flight and refuses new connections', async () => {
  const { clave, port, release } = await servingSlowRoute();
  const inFlight = fetch(`http://127.0.0.1:${port}/prueba/lenta`);
  await new Promise((resolve) => setTimeout(resolve, 100));
  const closing = clave.dispose();
  await new Promise((resolve) => setTimeout(resolve, 50));
  await assert.rejects(fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(2000) }));
  release();
  const response = await inFlight;
  assert.equal(response.status, 200);
  assert.deepEqual(await response.json(), { done: true });
  await closing;
});

/** A raw connection, to send a request on it whenever the test says: what a browser's keep-alive does. */
function rawConnection(port: number): { socket: Socket; received: () => string } {
  const socket = connect(port, '127.0.0.1');
  let received = '';
  socket.on('data', (chunk) => (received += chunk));
  return { socket, received: () => received };
}

test('a request that arrives on an open connection while closing gets CLV-090, Retry-After and the security headers, as JSON or as a page', async () => {
  const { clave, port, release } = await servingSlowRoute();
  // Each connection is busy with a slow request, so closing does not cut it as idle.
  const api = rawConnection(port);
  const page = rawConnection(port);
  const metrics = rawConnection(port);
  for (const { socket } of [api, page, metrics]) socket.write('GET /prueba/lenta HTTP/1.1\r\nHost: localhost\r\n\r\n');
  await new Promise((resolve) => setTimeout(resolve, 100));
  const closing = clave.dispose();
  await new Promise((resolve) => setTimeout(resolve, 50));
  api.socket.write('GET /api/v1/errors/CLV-001 HTTP/1.1\r\nHost: localhost\r\n\r\n');
  page.socket.write('GET /ayuda/errores HTTP/1.1\r\nHost: localhost\r\n\r\n');
  // A route registered before the error handler, too.
  metrics.socket.write('GET /metrics HTTP/1.1\r\nHost: localhost\r\n\r\n');
  await new Promise((resolve) => setTimeout(resolve, 50));
  release();
  await closing;
  await Promise.all([api, page, metrics].map(({ socket }) => new Promise((resolve) => (socket.closed ? resolve(undefined) : socket.once('close', resolve)))));

  for (const [connection, type, body] of [
    [api, 'application/json', '"code":"CLV-090"'],
    [page, 'text/html', 'CLV-090'],
    [metrics, 'text/html', 'CLV-090'],
  ] as const) {
    const second = connection.received().split(/(?=HTTP\/1\.1 )/)[1] ?? '';
    assert.match(second, /^HTTP\/1\.1 503 /, 'refused while closing');
    assert.match(second, /\r\nconnection: close\r\n/i);
    assert.match(second, /\r\nretry-after: 5\r\n/i);
    assert.match(second, /\r\ncontent-security-policy: default-src 'self'/i);
    assert.match(second, /\r\nx-content-type-options: nosniff\r\n/i);
    assert.match(second, new RegExp(`\\r\\ncontent-type: ${type}`, 'i'));
    assert.ok(second.includes(body), second.slice(-400));
  }
});

// Only PostgreSQL lets another session hold a lock meanwhile; under CI it is always there.
for (const postgres of backends().filter((backend) => backend.name === 'postgres')) {
  test('closing shuts the web server first, even while a count of the stored claves is held up', async () => {
    const { db, dispose } = await postgres.open();
    const clave = await createClave(loadConfig({ ...TEST_ENV, DUMMY_HASH_REFRESH: '1s' }), { database: db });
    await clave.web.listen({ port: 0, host: '127.0.0.1' });
    const { port } = clave.web.server.address() as { port: number };
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let locked!: () => void;
    const lockTaken = new Promise<void>((resolve) => (locked = resolve));
    // Another session holds the layout's table: the next count waits on it.
    const holding = db.transaction(async (tx) => {
      await tx.query('LOCK TABLE dummy_hash_layout IN ACCESS EXCLUSIVE MODE');
      locked();
      await held;
    });
    await lockTaken;
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const closing = clave.close();
    try {
      await new Promise((resolve) => setTimeout(resolve, 200));
      await assert.rejects(fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(2000) }), 'no new connection is taken while the count waits');
    } finally {
      release();
      await holding;
      await closing;
      await dispose();
    }
  });
}
