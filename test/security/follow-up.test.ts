import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { backends, type OpenedDatabase } from '../support/backends.ts';
import { createClave, type Clave } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { startTestClave, TEST_ENV, type TestClave } from '../support/clave.ts';
import { apiCaptcha, loadDemoRegistry, mailedToken, verifiedPeople, verifyIdentity } from '../support/journey.ts';

for (const backend of backends()) {
  describe(`a verdict left behind by a crashed instance is followed up by another, on ${backend.name}`, () => {
    let opened: OpenedDatabase;
    let survivor: Clave;
    before(async () => {
      opened = await backend.open();
      survivor = await createClave(loadConfig({ ...TEST_ENV, CAPTCHA_MAX_NUMBER: '1000', SECRET_KEY: 's'.repeat(40) }), { database: opened.db });
      await loadDemoRegistry(survivor);
    });
    after(async () => {
      await survivor.close();
      await opened.dispose();
    });

    test('the committed verdict becomes a link mail on the next worker pass', async () => {
      const person = verifiedPeople()[0]!;
      const started = await survivor.web.inject({ method: 'POST', url: '/api/v1/flows', payload: { kind: 'recover', cedula: person.affiliate.cedula, captcha: await apiCaptcha(survivor) } });
      const flowId = started.json().flowId as string;
      // What a crashed instance leaves: the flow moved and the verdict stored, in one commit, and nothing else.
      const now = new Date();
      await opened.db.transaction(async (tx) => {
        await tx.query("UPDATE recovery_flows SET state = 'check_email', expires_at = $2 WHERE id = $1", [flowId, new Date(now.getTime() + 15 * 60_000)]);
        await tx.query("INSERT INTO identity_outcomes (flow_id, verdict, submitted_at, link_expires_at) VALUES ($1, 'verified', $2, $3)", [flowId, now, new Date(now.getTime() + 15 * 60_000)]);
      });
      assert.equal(survivor.catcher!.list().length, 0);
      await survivor.outbox.drain();
      const mail = survivor.catcher!.list().find((m) => m.to.includes(person.affiliate.correo!));
      assert.match(mail?.text ?? '', /continuar\?token=/);
      const [row] = await opened.db.query<{ processed: boolean }>('SELECT processed_at IS NOT NULL AS processed FROM identity_outcomes WHERE flow_id = $1', [flowId]);
      assert.equal(row?.processed, true);
      await survivor.outbox.drain();
      assert.equal(survivor.catcher!.list().filter((m) => m.to.includes(person.affiliate.correo!)).length, 1, 'followed up once');
    });
  });
}

for (const backend of backends()) {
  describe(`a correct answer past the daily mail cap, on ${backend.name}`, () => {
    let clave: TestClave;
    before(async () => {
      clave = await startTestClave(backend, { CAPTCHA_MAX_NUMBER: '1000', EMAILS_PER_CEDULA_PER_DAY: '2' });
      await loadDemoRegistry(clave);
    });
    after(async () => clave.dispose());

    test('mails nothing and leaves the link already in the inbox working', async () => {
      const person = verifiedPeople()[0]!;
      const address = person.affiliate.correo!;
      const flows = [];
      for (let attempt = 1; attempt <= 3; attempt++) {
        flows.push(await verifyIdentity(clave, person));
        await clave.settle();
      }
      assert.equal(clave.catcher!.list().filter((m) => m.to.includes(address)).length, 2, 'the cap allows two mails');
      const [audit] = await clave.db.query<{ outcome: string; detail: { mail: string } }>("SELECT outcome, detail FROM audit_events WHERE event = 'identity' AND flow_id = $1", [flows[2]]);
      assert.equal(`${audit?.outcome} ${audit?.detail.mail}`, 'verified daily_limit');
      const redeemed = await clave.web.inject({ method: 'POST', url: '/api/v1/tokens/redeem', payload: { token: await mailedToken(clave, address) } });
      assert.equal(redeemed.statusCode, 200, redeemed.body);
      assert.equal(redeemed.json().flowId, flows[1]);
    });
  });
}

describe('the outbox keeps no token once a message is delivered', () => {
  test('sent rows hold only the message id and subject', async () => {
    const opened = await backends()[0]!.open();
    const clave = await createClave(loadConfig({ ...TEST_ENV, CAPTCHA_MAX_NUMBER: '1000' }), { database: opened.db });
    try {
      await loadDemoRegistry(clave);
      const person = verifiedPeople()[0]!;
      const { giveClave } = await import('../support/journey.ts');
      await giveClave(clave, person, 'viento-Claro-19-rama');
      await clave.settle();
      const rows = await opened.db.query<{ message: Record<string, unknown>; sent: boolean }>('SELECT message, sent_at IS NOT NULL AS sent FROM outbox');
      assert.ok(rows.length >= 2);
      for (const row of rows) {
        assert.equal(row.sent, true);
        assert.deepEqual(Object.keys(row.message).sort(), ['messageId', 'subject']);
      }
      assert.doesNotMatch(JSON.stringify(rows), /token=/);
    } finally {
      await clave.close();
      await opened.dispose();
    }
  });
});
