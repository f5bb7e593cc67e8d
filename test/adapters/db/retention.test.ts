import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { backends } from '../../support/backends.ts';
import { startTestClave, type TestClave } from '../../support/clave.ts';
import { testClock, MINUTE } from '../../support/clock.ts';
import { apiCaptcha, birthOf, correctAnswers, giveClave, loadDemoRegistry, mailablePeople, mailedToken, UNKNOWN_CEDULA, verifiedPeople } from '../../support/journey.ts';
import { pino } from 'pino';
import { createRetention } from '../../../src/adapters/db/retention.ts';
import type { DemoAffiliate } from '../../../src/adapters/registry/demo-registry.ts';
import { cedulaCheckDigit } from '../../../src/domain/cedula.ts';
import { cedulaRef } from '../../../src/domain/tokens.ts';

const CLAVE = 'rio-Azul-58-puente';
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
// Kept two days; failed identity checks count over three, so they must outlive the rest.
const ENV = { CAPTCHA_MAX_NUMBER: '1000', RETENTION: '2d', IDENTITY_FAILURE_WINDOW: '3d' };
const RULES = { keepMs: 2 * DAY, identityFailureWindowMs: 3 * DAY, mailCapWindowMs: DAY, loginMaxFailures: 5 };
const PURGED_TABLES = ['recovery_flows', 'tokens', 'sessions', 'identity_failures', 'outbox', 'captcha_uses', 'login_failures'];

/** A valid cédula that no demo person has (province 17; the demo's bodies stay below 1,710,000). */
function strangerCedula(n: number): string {
  const nine = `17${9_800_000 + n}`;
  return `${nine}${cedulaCheckDigit(nine)}`;
}

for (const backend of backends()) {
  describe(`retention purge on ${backend.name}`, () => {
    let clave: TestClave;
    const clock = testClock();
    const [ana, berta, carla] = verifiedPeople() as [DemoAffiliate, DemoAffiliate, DemoAffiliate];
    // Two more with an account, for the login failure counts: none of the three above.
    const [holder, lockedHolder] = mailablePeople(6).filter((person) => ![ana, berta, carla].some((showcase) => showcase.affiliate.cedula === person.affiliate.cedula)) as [DemoAffiliate, DemoAffiliate];
    let auditEvents: number;
    let bertasFlow: string;

    const post = (url: string, payload: object, headers: Record<string, string> = {}) => clave.web.inject({ method: 'POST', url, payload, headers });
    const login = (cedula: string, password: string) => post('/api/v1/sessions', { cedula, password });
    const count = async (table: string, where = 'true') => (await clave.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table} WHERE ${where}`))[0]!.n;
    const failuresOf = async (cedula: string) =>
      (await clave.db.query<{ failures: number }>('SELECT failures FROM login_failures WHERE cedula_ref = $1', [cedulaRef(clave.secret, cedula)]))[0]?.failures;
    const errorCodes = async (cedula: string, password: string, attempts: number) => {
      const codes: string[] = [];
      for (let i = 0; i < attempts; i++) codes.push((await login(cedula, password)).json().error.code);
      return codes;
    };

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
      bertasFlow = await startFlow(berta);
      assert.equal((await post(`/api/v1/flows/${bertasFlow}/identity`, { ...wrongBirth, answers: await correctAnswers(clave, berta) })).statusCode, 202);
      for (let i = 1; i <= 5; i++) assert.equal((await login(UNKNOWN_CEDULA, 'no-es-la-clave-1')).statusCode, i < 5 ? 401 : 423);
      await clave.settle();
      // A message the worker has not delivered yet, and one it gave up.
      await clave.db.query("INSERT INTO outbox (channel, recipient, message, created_at, available_at) VALUES ('email', 'espera@correo.example', '{}'::jsonb, $1, $1)", [clock.now()]);
      await clave.db.query("INSERT INTO outbox (channel, recipient, message, created_at, available_at, given_up_at) VALUES ('email', 'nadie@correo.example', '{}'::jsonb, $1, $1, $1)", [clock.now()]);
      auditEvents = await count('audit_events');
    });
    after(async () => clave.dispose());

    test('within the retention nothing is deleted', async () => {
      clock.advance(HOUR);
      const counts = await clave.retention.purge();
      assert.deepEqual(
        counts,
        { flows: 0, tokens: 0, sessions: 0, identityFailures: 0, sentMail: 0, givenUpMail: 0, captchaUses: 2, loginFailures: 0 },
        'only the two CAPTCHA uses, expired after 10 minutes',
      );
    });

    test('past it, ended flows, links, sessions, delivered mail go; live links, counts, locks, unsent mail and the audit trail stay', async () => {
      // The session ended 12 hours after it opened (SESSION_ABSOLUTE_TTL); kept two days since.
      clock.advance(2 * DAY + 12 * HOUR);
      const flowId = await startFlow(carla);
      const trail = await count('audit_events');
      // As if berta's verdict were still waiting to be worked out: her flow must stay.
      await clave.db.query('UPDATE identity_outcomes SET processed_at = NULL WHERE flow_id = $1', [bertasFlow]);
      const counts = await clave.retention.purge();
      await clave.db.query('UPDATE identity_outcomes SET processed_at = $2 WHERE flow_id = $1', [bertasFlow, clock.now()]);
      assert.equal(counts.flows, 1, "ana's flow");
      assert.equal(counts.sessions, 1);
      assert.ok(counts.sentMail >= 3, `the link, the notice of the change, the failure notice (${counts.sentMail})`);
      assert.equal(counts.givenUpMail, 1);
      assert.equal(counts.loginFailures, 1, "ana's count, zero since she signed in: the same as none");
      assert.equal(await failuresOf(ana.affiliate.cedula), undefined);
      assert.equal(await failuresOf(UNKNOWN_CEDULA), 5, 'a lock, even of an unknown cédula, is never purged');
      assert.equal(counts.identityFailures, 0, 'still inside the 3-day window');
      assert.deepEqual(await clave.db.query('SELECT purpose FROM tokens'), [{ purpose: 'disavow' }], 'the "No fui yo" link is valid for a week');
      assert.deepEqual(await clave.db.query('SELECT id FROM recovery_flows ORDER BY created_at'), [{ id: bertasFlow }, { id: flowId }], "berta's, waiting, and carla's, just started");
      assert.equal(await count('identity_outcomes'), 1);
      assert.equal(await count('outbox', 'sent_at IS NULL AND given_up_at IS NULL'), 1, 'mail still to be delivered is kept');
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

    test('failed identity checks go once their window has passed, a flow once its verdict is worked out, "No fui yo" links once expired and kept', async () => {
      clock.advance(DAY);
      const counts = await clave.retention.purge();
      assert.equal(counts.identityFailures, 1);
      assert.equal(counts.flows, 1, "berta's flow, now that its verdict is worked out");
      assert.equal(await count('tokens', "purpose = 'disavow'"), 1);
      // It expires 7 days after the change, then is kept 2.
      clock.advance(5 * DAY);
      await clave.retention.purge();
      assert.equal(await count('tokens', "purpose = 'disavow'"), 1, 'expired a day and a half ago');
      clock.advance(DAY);
      await clave.retention.purge();
      assert.equal(await count('tokens', "purpose = 'disavow'"), 0);
    });

    test('wrong claves below the limit are forgotten after RETENTION without attempts, with an account or without alike; a lock stays', async () => {
      for (const person of [holder, lockedHolder]) await giveClave(clave, person, CLAVE);
      const [stranger, lockedStranger] = [strangerCedula(1), strangerCedula(2)];
      const counted = [holder.affiliate.cedula, stranger];
      const locked = [lockedHolder.affiliate.cedula, lockedStranger];
      // The same history for a cédula with an account and one without.
      for (const cedula of counted) assert.deepEqual(await errorCodes(cedula, 'no-es-la-clave-1', 4), Array(4).fill('CLV-041'));
      for (const cedula of locked) assert.deepEqual(await errorCodes(cedula, 'no-es-la-clave-1', 5), [...Array(4).fill('CLV-041'), 'CLV-040']);
      await clave.settle();
      const failures = () => Promise.all([...counted, ...locked].map(failuresOf));

      clock.advance(2 * DAY - MINUTE);
      await clave.retention.purge();
      assert.deepEqual(await failures(), [4, 4, 5, 5], 'a minute short of RETENTION: every count is kept');

      clock.advance(2 * MINUTE);
      await clave.retention.purge();
      assert.deepEqual(await failures(), [undefined, undefined, 5, 5], 'below the limit, both go; at it, both stay');
      // Kept, the next wrong clave would have been the fifth and locked; purged, it is the first.
      for (const cedula of counted) assert.deepEqual(await errorCodes(cedula, 'no-es-la-clave-2', 1), ['CLV-041'], cedula);
      for (const cedula of locked) assert.deepEqual(await errorCodes(cedula, CLAVE, 1), ['CLV-040'], `${cedula}: still locked, even to the right clave`);
      assert.equal((await login(holder.affiliate.cedula, CLAVE)).statusCode, 201, 'the account whose count was purged signs in');
      await clave.settle();
    });

    test('more rows than one batch are all deleted', async () => {
      await clave.db.query(
        "INSERT INTO captcha_uses (challenge_hash, expires_at) SELECT sha256(convert_to('reto-' || i, 'UTF8')), $1 FROM generate_series(1, 2500) AS i",
        [new Date(clock.now().getTime() - MINUTE)],
      );
      assert.equal((await clave.retention.purge()).captchaUses, 2500);
      assert.equal(await count('captcha_uses'), 0);
    });

    test('once started, the purge runs at once on its own', async () => {
      await clave.db.query("INSERT INTO captcha_uses (challenge_hash, expires_at) VALUES (sha256('uno'::bytea), $1)", [new Date(clock.now().getTime() - MINUTE)]);
      clave.retention.start();
      const deadline = Date.now() + 20_000;
      while ((await count('captcha_uses')) > 0) {
        assert.ok(Date.now() < deadline, 'the started purge never ran');
        await sleep(20);
      }
    });

    test('stop() does not wait for a long purge: it ends after the batch under way', async () => {
      await clave.db.query(
        "INSERT INTO captcha_uses (challenge_hash, expires_at) SELECT sha256(convert_to('otro-' || i, 'UTF8')), $1 FROM generate_series(1, 5000) AS i",
        [new Date(clock.now().getTime() - MINUTE)],
      );
      const retention = createRetention({ db: clave.db, clock: clock.now, logger: pino({ level: 'silent' }), rules: RULES, everyMs: HOUR });
      retention.start();
      await retention.stop();
      assert.equal(await count('captcha_uses'), 5000, 'stopped while it was on the first kind of row');
    });

    test('every foreign key into a table the purge deletes from is indexed (a cascade must not scan)', async () => {
      const unindexed = await clave.db.query(
        `SELECT child.relname AS child, a.attname AS column FROM pg_constraint c
         JOIN pg_class parent ON parent.oid = c.confrelid
         JOIN pg_class child ON child.oid = c.conrelid
         JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
         WHERE c.contype = 'f' AND parent.relnamespace = current_schema()::regnamespace AND parent.relname = ANY($1::text[])
           AND NOT EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.conrelid AND i.indkey[0] = c.conkey[1]
                             AND (i.indpred IS NULL OR pg_get_expr(i.indpred, i.indrelid) = '(' || a.attname || ' IS NOT NULL)'))`,
        [PURGED_TABLES],
      );
      assert.deepEqual(unindexed, []);
    });
  });
}
