import { availableParallelism } from 'node:os';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, loadConfig } from '../src/config.ts';

test('defaults serve the embedded database on port 3000 in Spanish time', () => {
  const config = loadConfig({});
  assert.equal(config.port, 3000);
  assert.equal(config.storage.kind, 'pglite-file');
  assert.equal(config.publicUrl.href, 'http://localhost:3000/');
  assert.equal(config.timeZone, 'America/Guayaquil');
  assert.equal(config.demoData, true);
  assert.equal(config.trustProxy, false);
  assert.equal(config.limits.recoveryLinkTtlMs, 15 * 60_000);
  assert.equal(config.limits.unlockLinkTtlMs, 3 * 60_000);
  assert.equal(config.limits.loginMaxFailures, 5);
  assert.equal(config.limits.argon2MemoryKib, 19_456);
  assert.equal(config.limits.argon2Concurrency, availableParallelism());
  assert.equal(config.limits.passwordCheckTimeoutMs, 5_000);
  assert.equal(config.limits.retentionMs, 30 * 24 * 3_600_000);
  assert.equal(config.limits.retentionPurgeEveryMs, 3_600_000);
});

test('each storage form is recognised', () => {
  assert.deepEqual(loadConfig({ DATABASE_URL: 'memory://' }).storage, { kind: 'pglite-memory' });
  assert.equal(loadConfig({ DATABASE_URL: 'postgres://u@h/db' }).storage.kind, 'postgres');
  assert.equal(loadConfig({ DATABASE_URL: 'postgresql://u@h/db' }).demoData, false);
});

const bad: [Record<string, string>, string][] = [
  [{ PORT: 'abc' }, 'PORT'],
  [{ PORT: '70000' }, 'PORT'],
  [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL'],
  [{ PUBLIC_URL: 'ftp://x' }, 'PUBLIC_URL'],
  // Clave is served at the root of its host: links built under a path would miss.
  [{ PUBLIC_URL: 'https://clave.example/clave-personal' }, 'PUBLIC_URL'],
  [{ PUBLIC_URL: 'https://clave.example/?from=mail' }, 'PUBLIC_URL'],
  [{ REDIS_URL: 'http://x' }, 'REDIS_URL'],
  [{ AGENCIES_URL: 'javascript:alert(1)' }, 'AGENCIES_URL'],
  [{ SMTP_URL: 'nope' }, 'SMTP_URL'],
  [{ TIME_ZONE: 'Marte/Olympus' }, 'TIME_ZONE'],
  [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
  [{ NODE_ENV: 'staging' }, 'NODE_ENV'],
  [{ TRUST_PROXY: 'everyone!' }, 'TRUST_PROXY'],
  [{ RECOVERY_LINK_TTL: '15 minutes' }, 'RECOVERY_LINK_TTL'],
  [{ PASSWORD_MIN_LENGTH: '4' }, 'PASSWORD_MIN_LENGTH'],
  [{ SECRET_KEY: 'short' }, 'SECRET_KEY'],
  [{ METRICS_TOKEN: 'corto' }, 'METRICS_TOKEN'],
  [{ SMS_WEBHOOK_URL: 'https://clave:50%off@sms.example/send' }, 'SMS_WEBHOOK_URL'],
  [{ DEMO_DATA: 'maybe' }, 'DEMO_DATA'],
  [{ THROTTLE_IPV6_PREFIX: '16' }, 'THROTTLE_IPV6_PREFIX'],
  [{ ARGON2_CONCURRENCY: '0' }, 'ARGON2_CONCURRENCY'],
  [{ PASSWORD_CHECK_WORKERS: '-1' }, 'PASSWORD_CHECK_WORKERS'],
  [{ ARGON2_QUEUE_LIMIT: '0' }, 'ARGON2_QUEUE_LIMIT'],
  [{ PASSWORD_CHECK_TIMEOUT_MS: '999' }, 'PASSWORD_CHECK_TIMEOUT_MS'],
  [{ DUMMY_HASH_REFRESH: '500ms' }, 'DUMMY_HASH_REFRESH'],
  [{ DUMMY_HASH_REFRESH: '25d' }, 'DUMMY_HASH_REFRESH'],
  // Under a day, delivered mail would drop out of the daily cap on recovery mail.
  [{ RETENTION: '23h' }, 'RETENTION'],
  [{ RETENTION_PURGE_EVERY: '30s' }, 'RETENTION_PURGE_EVERY'],
];

test('PUBLIC_URL is an origin: a trailing slash is fine, a path is refused with the reason', () => {
  assert.equal(loadConfig({ PUBLIC_URL: 'https://clave.example.gob.ec/' }).publicUrl.href, 'https://clave.example.gob.ec/');
  assert.throws(() => loadConfig({ PUBLIC_URL: 'https://clave.example/clave-personal/' }), /PUBLIC_URL: .*no bajo una ruta/);
});

for (const [env, variable] of bad) {
  test(`a bad ${variable} is refused by name`, () => {
    assert.throws(() => loadConfig(env), (error: unknown) => error instanceof ConfigError && error.variable === variable && error.message.startsWith(variable));
  });
}

test('production needs a secret, https and a real SMTP server', () => {
  const production = { NODE_ENV: 'production', SECRET_KEY: 'k'.repeat(40), PUBLIC_URL: 'https://clave.example', SMTP_URL: 'smtp://mail:25' };
  assert.equal(loadConfig(production).nodeEnv, 'production');
  assert.equal(loadConfig(production).demoData, false);
  assert.throws(() => loadConfig({ ...production, SECRET_KEY: '' }), /SECRET_KEY/);
  assert.throws(() => loadConfig({ ...production, PUBLIC_URL: 'http://clave.example' }), /PUBLIC_URL/);
  assert.throws(() => loadConfig({ ...production, SMTP_URL: '' }), /SMTP_URL/);
});

test('the secret is never echoed in the error', () => {
  assert.throws(() => loadConfig({ SECRET_KEY: 'hunter2' }), (error: Error) => !error.message.includes('hunter2'));
  assert.throws(() => loadConfig({ SMS_WEBHOOK_URL: 'https://clave:50%off@sms.example/send' }), (error: Error) => !error.message.includes('50%off'));
});

test('durations and proxy settings parse', () => {
  const config = loadConfig({ FLOW_TTL: '45m', UNLOCK_LINK_TTL: '90', TRUST_PROXY: '10.0.0.0/8, 127.0.0.1' });
  assert.equal(config.limits.flowTtlMs, 45 * 60_000);
  assert.equal(config.limits.unlockLinkTtlMs, 90_000);
  assert.deepEqual(config.trustProxy, ['10.0.0.0/8', '127.0.0.1']);
  assert.equal(loadConfig({ TRUST_PROXY: '1' }).trustProxy, 1);
});
