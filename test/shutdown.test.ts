import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backends } from './support/backends.ts';
import { startTestClave } from './support/clave.ts';

test('closing finishes the request in flight and refuses new connections', async () => {
  const clave = await startTestClave(backends()[0]!);
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  clave.web.get('/prueba/lenta', async () => {
    await gate;
    return { done: true };
  });
  await clave.web.listen({ port: 0, host: '127.0.0.1' });
  const { port } = clave.web.server.address() as { port: number };
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
