import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createClave, type Clave } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { startMailCatcher, type MailCatcher } from '../../src/adapters/mail/catcher.ts';
import { openPostgres } from '../../src/adapters/db/postgres.ts';
import type { Database } from '../../src/adapters/db/database.ts';
import { TEST_ENV } from '../support/clave.ts';
import { birthOf, correctAnswers, loadDemoRegistry, verifiedPeople } from '../support/journey.ts';
import { demoAffiliate } from '../../src/adapters/registry/demo-registry.ts';
import { solveCaptcha } from '../support/captcha.ts';
import { redisUrl } from '../support/redis.ts';

const databaseUrl = process.env.TEST_DATABASE_URL;
if (!databaseUrl && process.env.CI === 'true') throw new Error('CI=true but TEST_DATABASE_URL is not set');

describe('three instances on one PostgreSQL (and Redis)', { skip: databaseUrl ? undefined : 'needs TEST_DATABASE_URL' }, () => {
  const schema = `test_multi_${randomBytes(4).toString('hex')}`;
  let admin: Database;
  let catcher: MailCatcher;
  const pools: Database[] = [];
  const instances: Clave[] = [];
  const bases: string[] = [];

  before(async () => {
    admin = await openPostgres(databaseUrl!, { poolSize: 1 });
    await admin.exec(`CREATE SCHEMA ${schema}`);
    catcher = await startMailCatcher();
    const redis = redisUrl();
    const env = { ...TEST_ENV, SECRET_KEY: randomBytes(32).toString('hex'), SMTP_URL: catcher.url, CAPTCHA_MAX_NUMBER: '1000', ...(redis ? { REDIS_URL: redis } : {}) };
    for (let i = 0; i < 3; i++) pools.push(await openPostgres(databaseUrl!, { searchPath: schema, poolSize: 10 }));
    // All three migrate at once, as instances starting together would.
    instances.push(...(await Promise.all(pools.map((database) => createClave(loadConfig(env), { database })))));
    for (const instance of instances) {
      await instance.web.listen({ port: 0, host: '127.0.0.1' });
      bases.push(`http://127.0.0.1:${(instance.web.server.address() as { port: number }).port}`);
    }
    await loadDemoRegistry(instances[0]!);
  });

  after(async () => {
    for (const instance of instances) await instance.close();
    for (const pool of pools) await pool.close();
    await catcher?.close();
    await admin.exec(`DROP SCHEMA ${schema} CASCADE`);
    await admin.close();
  });

  const call = async (instance: number, path: string, body: object, headers: Record<string, string> = {}) => {
    const response = await fetch(bases[instance % 3] + path, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
    return { status: response.status, body: (await response.json()) as Record<string, any> };
  };

  async function settleAll() {
    for (const instance of instances) await instance.settle();
  }

  async function linkFor(address: string): Promise<string> {
    await settleAll();
    const mail = catcher.list().find((m) => m.to.includes(address) && /continuar\?token=/.test(m.text));
    return /token=([A-Za-z0-9_-]{43})/.exec(mail!.text)![1]!;
  }

  test('a flow started on one instance completes on the others; 50 racing redemptions and 50 racing claves: one each', async () => {
    const person = verifiedPeople()[0]!;
    const challenge = (await call(0, '/api/v1/captcha', {})).body.challenge;
    const started = await call(0, '/api/v1/flows', { kind: 'recover', cedula: person.affiliate.cedula, captcha: await solveCaptcha(challenge) });
    assert.equal(started.status, 201);
    const flowId = started.body.flowId as string;
    const sent = await call(1, `/api/v1/flows/${flowId}/identity`, { ...birthOf(person), answers: await correctAnswers(instances[0]!, person) });
    assert.equal(sent.status, 202);
    const token = await linkFor(person.affiliate.correo!);

    const redemptions = await Promise.all(Array.from({ length: 50 }, (_, i) => call(i, '/api/v1/tokens/redeem', { token })));
    const redeemed = redemptions.filter((r) => r.status === 200);
    assert.equal(redeemed.length, 1, 'exactly one redemption wins');
    assert.ok(redemptions.filter((r) => r.status !== 200).every((r) => r.body.error.code === 'CLV-021'));

    const resetToken = redeemed[0]!.body.resetToken as string;
    const submissions = await Promise.all(
      Array.from({ length: 50 }, (_, i) => call(i, `/api/v1/flows/${flowId}/password`, { password: `carrera-Justa-${i}-fin`, confirmation: `carrera-Justa-${i}-fin` }, { authorization: `Bearer ${resetToken}` })),
    );
    assert.equal(submissions.filter((r) => r.status === 200).length, 1, 'exactly one clave is set');
    // The rest: the reset session is spent (CLV-050), or, past CLAVE_SAVES_PER_SESSION (shared in Redis), too many saves (CLV-004).
    const refused = submissions.filter((r) => r.status !== 200).map((r) => r.body.error.code as string);
    assert.deepEqual([...new Set(refused)].filter((code) => code !== 'CLV-050' && code !== 'CLV-004'), [], refused.join(' '));
    assert.ok(refused.filter((code) => code === 'CLV-050').length >= 49 - 30, 'every save the budget allowed after the first found the session spent');
    const history = await pools[0]!.query('SELECT 1 FROM password_history WHERE cedula = $1', [person.affiliate.cedula]);
    assert.equal(history.length, 0, 'no second change recorded over the first');
  });

  test('with outbox workers on all three, every message is delivered exactly once', async () => {
    for (const instance of instances) instance.outbox.start();
    // People who had no mail yet, so none of theirs is spaced a minute later.
    const used = verifiedPeople()[0]!.affiliate.cedula;
    const people = Array.from({ length: 60 }, (_, i) => demoAffiliate(i)).filter((p) => p.affiliate.datosVerificados && p.affiliate.cedula !== used).slice(0, 24);
    for (const [i, person] of people.entries()) {
      const challenge = (await call(i, '/api/v1/captcha', {})).body.challenge;
      const started = await call(i, '/api/v1/flows', { kind: 'recover', cedula: person.affiliate.cedula, captcha: await solveCaptcha(challenge) });
      await call(i + 1, `/api/v1/flows/${started.body.flowId}/identity`, { birthDay: 1, birthMonth: 1, answers: { q1: 'none', q2: 'none', q3: 'none' } });
    }
    await Promise.all(instances.map((instance) => instance.settle()));
    const deadline = Date.now() + 20_000;
    let pending = 1;
    while (pending > 0 && Date.now() < deadline) {
      [{ pending }] = (await pools[0]!.query<{ pending: number }>('SELECT count(*) AS pending FROM outbox WHERE sent_at IS NULL AND given_up_at IS NULL')) as [{ pending: number }];
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    assert.equal(pending, 0);
    const sentIds = (await pools[0]!.query<{ id: string }>("SELECT message->>'messageId' AS id FROM outbox")).map((row) => row.id);
    const delivered = catcher.list().map((mail) => mail.messageId);
    for (const id of sentIds) assert.equal(delivered.filter((d) => d === id).length, 1, `${id} delivered once`);
    assert.equal(delivered.length, sentIds.length);
    assert.ok(sentIds.length >= 24, `${sentIds.length} messages`);
  });
});
