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

describe('who may read /metrics', () => {
  const pglite = backends().find((backend) => backend.name === 'pglite')!;
  const TOKEN = 'm'.repeat(40);

  test('with METRICS_TOKEN, only a scraper that sends it as a bearer token', async () => {
    const clave = await startTestClave(pglite, { METRICS_TOKEN: TOKEN });
    try {
      const scrape = (authorization?: string) => clave.web.inject({ url: '/metrics', headers: authorization ? { authorization } : {} });
      for (const refused of [await scrape(), await scrape(`Bearer ${'x'.repeat(40)}`), await scrape(`Basic ${TOKEN}`), await scrape(`Bearer ${TOKEN}x`)]) {
        assert.equal(refused.statusCode, 401);
        assert.equal(refused.headers['www-authenticate'], 'Bearer realm="metrics"');
        assert.doesNotMatch(refused.body, /clave_outbox_pending/);
      }
      const scraped = await scrape(`Bearer ${TOKEN}`);
      assert.equal(scraped.statusCode, 200);
      assert.match(scraped.body, /^clave_outbox_pending 0$/m);
    } finally {
      await clave.dispose();
    }
  });

  test('in production without METRICS_TOKEN, /metrics does not exist: its outbox gauge would tell who is an affiliate', async () => {
    const clave = await startTestClave(pglite, { NODE_ENV: 'production', SECRET_KEY: 's'.repeat(40), PUBLIC_URL: 'https://clave.example', SMTP_URL: 'smtp://127.0.0.1:9' });
    try {
      assert.equal((await clave.web.inject('/metrics')).statusCode, 404);
    } finally {
      await clave.dispose();
    }
  });
});
