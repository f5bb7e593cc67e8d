import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { backends } from '../../support/backends.ts';
import { startTestClave, type TestClave } from '../../support/clave.ts';
import { testClock, MINUTE } from '../../support/clock.ts';
import { apiCaptcha, birthOf, correctAnswers, giveClave, loadDemoRegistry, mailedToken, UNKNOWN_CEDULA, verifiedPeople } from '../../support/journey.ts';
import type { DemoAffiliate } from '../../../src/adapters/registry/demo-registry.ts';

const CLAVE = 'rio-Azul-58-puente';
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
// Kept two days; failed identity checks count over three, so they must outlive the rest.
const ENV = { CAPTCHA_MAX_NUMBER: '1000', RETENTION: '2d', IDENTITY_FAILURE_WINDOW: '3d' };

for (const backend of backends()) {
  describe(`retention purge on ${backend.name}`, () => {
    let clave: TestClave;
    const clock = testClock();
    const [ana, berta, carla] = verifiedPeople() as [DemoAffiliate, DemoAffiliate, DemoAffiliate];
    let auditEvents: number;

    const post = (url: string, payload: object, headers: Record<string, string> = {}) => clave.web.inject({ method: 'POST', url, payload, headers });
    const login = (cedula: string, password: string) => post('/api/v1/sessions', { cedula, password });
    const count = async (table: string, where = 'true') => (await clave.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table} WHERE ${where}`))[0]!.n;

    async function startFlow(person: DemoAffiliate): Promise<string> {
      const response = await post('/api/v1/flows', { kind: 'recover', cedula: person.affiliate.cedula, captcha: await apiCaptcha(clave) });
      assert.equal(response.statusCode, 201, response.body);
      return response.json().flowId;
    }

    before(async () => {
      clave = await startTestClave(backend, ENV, { clock: clock.now });
      await loadDemoRegistry(clave);
      // A whole Generar (a flow, its link, a reset session, a "No fui yo" link, two mails),
      // then a session, a failed identity check (and its notice), a locked unknown cédula.
      await giveClave(clave, ana, CLAVE);
      assert.equal((await login(ana.affiliate.cedula, CLAVE)).statusCode, 201);
      const wrongBirth = { birthDay: (birthOf(berta).birthDay % 28) + 1, birthMonth: birthOf(berta).birthMonth };
      assert.equal((await post(`/api/v1/flows/${await startFlow(berta)}/identity`, { ...wrongBirth, answers: await correctAnswers(clave, berta) })).statusCode, 202);
      for (let i = 1; i <= 5; i++) assert.equal((await login(UNKNOWN_CEDULA, 'no-es-la-clave-1')).statusCode, i < 5 ? 401 : 423);
      await clave.settle();
      // A message the worker has not delivered yet.
      await clave.db.query("INSERT INTO outbox (channel, recipient, message, created_at, available_at) VALUES ('email', 'espera@correo.example', '{}'::jsonb, $1, $1)", [clock.now()]);
      auditEvents = await count('audit_events');
    });
    after(async () => clave.dispose());

    test('within the retention nothing is deleted', async () => {
      clock.advance(HOUR);
      const counts = await clave.retention.purge();
      assert.deepEqual(counts, { flows: 0, tokens: 0, sessions: 0, identityFailures: 0, sentMail: 0, captchaUses: 2 }, 'only the two CAPTCHA uses, expired after 10 minutes');
    });

    test('past it, ended flows, links, sessions, delivered mail go; live links, counts, locks, unsent mail and the audit trail stay', async () => {
      // The session ended 12 hours after it opened (SESSION_ABSOLUTE_TTL); kept two days since.
      clock.advance(2 * DAY + 12 * HOUR);
      const flowId = await startFlow(carla);
      const trail = await count('audit_events');
      const counts = await clave.retention.purge();
      assert.equal(counts.flows, 2, "ana's and berta's flows");
      assert.equal(counts.sessions, 1);
      assert.ok(counts.sentMail >= 3, `the link, the notice of the change, the failure notice (${counts.sentMail})`);
      assert.equal(counts.identityFailures, 0, 'still inside the 3-day window');
      assert.deepEqual(await clave.db.query('SELECT purpose FROM tokens'), [{ purpose: 'disavow' }], 'the "No fui yo" link is valid for a week');
      assert.equal(await count('recovery_flows'), 1, "carla's flow, just started");
      assert.equal(await count('identity_outcomes'), 0);
      assert.equal(await count('outbox', 'sent_at IS NULL'), 1, 'undelivered mail is kept');
      assert.equal(await count('identity_failures'), 1);
      assert.equal(await count('audit_events'), trail, 'nothing deleted from the trail');
      assert.ok(trail > auditEvents);
      assert.equal((await login(UNKNOWN_CEDULA, 'no-es-la-clave-1')).statusCode, 423, 'the lock of an unknown cédula stays');
      assert.equal((await login(ana.affiliate.cedula, CLAVE)).statusCode, 201, "ana's clave and account are untouched");

      const identity = await post(`/api/v1/flows/${flowId}/identity`, { ...birthOf(carla), answers: await correctAnswers(clave, carla) });
      assert.equal(identity.statusCode, 202);
      const redeemed = await post('/api/v1/tokens/redeem', { token: await mailedToken(clave, carla.affiliate.correo!) });
      assert.equal(redeemed.statusCode, 200, 'a flow started before the purge goes on after it');
    });

    test('failed identity checks go once their window has passed, "No fui yo" links once they have expired and been kept', async () => {
      clock.advance(DAY);
      assert.equal((await clave.retention.purge()).identityFailures, 1);
      assert.equal(await count('tokens', "purpose = 'disavow'"), 1);
      // It expires 7 days after the change, then is kept 2.
      clock.advance(5 * DAY);
      await clave.retention.purge();
      assert.equal(await count('tokens', "purpose = 'disavow'"), 1, 'expired a day and a half ago');
      clock.advance(DAY);
      await clave.retention.purge();
      assert.equal(await count('tokens', "purpose = 'disavow'"), 0);
    });

    test('more rows than one batch are all deleted', async () => {
      await clave.db.query(
        "INSERT INTO captcha_uses (challenge_hash, expires_at) SELECT sha256(convert_to('reto-' || i, 'UTF8')), $1 FROM generate_series(1, 2500) AS i",
        [new Date(clock.now().getTime() - MINUTE)],
      );
      assert.equal((await clave.retention.purge()).captchaUses, 2500);
      assert.equal(await count('captcha_uses'), 0);
    });

    test('once started, the purge runs on its own, and stops with the app', async () => {
      await clave.db.query("INSERT INTO captcha_uses (challenge_hash, expires_at) VALUES (sha256('uno'::bytea), $1)", [new Date(clock.now().getTime() - MINUTE)]);
      clave.retention.start();
      while ((await count('captcha_uses')) > 0) await sleep(20);
    });
  });
}
