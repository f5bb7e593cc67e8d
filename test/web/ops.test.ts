import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { backends } from '../support/backends.ts';
import { startTestClave, type TestClave } from '../support/clave.ts';

for (const backend of backends()) {
  describe(`operations endpoints on ${backend.name}`, () => {
    let clave: TestClave;
    before(async () => {
      clave = await startTestClave(backend);
    });
    after(async () => clave.dispose());

    test('healthz and readyz answer when all is well', async () => {
      assert.deepEqual((await clave.web.inject('/healthz')).json(), { status: 'ok' });
      const ready = await clave.web.inject('/readyz');
      assert.equal(ready.statusCode, 200);
      assert.equal(ready.headers['cache-control'], 'no-store');
    });

    test('metrics expose latency by route template and process metrics', async () => {
      await clave.web.inject('/');
      await clave.web.inject('/dev/correo/abc-1710034065');
      const metrics = await clave.web.inject('/metrics');
      assert.equal(metrics.statusCode, 200);
      assert.match(metrics.body, /http_request_duration_seconds_bucket\{[^}]*route="\/"/);
      assert.match(metrics.body, /route="\/dev\/correo\/:id"/);
      assert.match(metrics.body, /process_cpu_seconds_total/);
      assert.match(metrics.body, /^clave_outbox_pending 0$/m);
      assert.doesNotMatch(metrics.body, /1710034065/, 'raw URLs never become labels');
    });

    test('readyz is 503 while a migration is missing', async () => {
      const [row] = await clave.db.query<{ version: string }>('DELETE FROM schema_migrations WHERE version = (SELECT max(version) FROM schema_migrations) RETURNING version');
      try {
        const response = await clave.web.inject('/readyz');
        assert.equal(response.statusCode, 503);
        assert.deepEqual(response.json(), { status: 'unavailable' });
      } finally {
        await clave.db.query('INSERT INTO schema_migrations (version) VALUES ($1)', [row!.version]);
      }
      assert.equal((await clave.web.inject('/readyz')).statusCode, 200);
    });
  });
}
