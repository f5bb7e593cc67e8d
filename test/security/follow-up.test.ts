import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { backends, type OpenedDatabase } from '../support/backends.ts';
import type { Database, Sql } from '../../src/adapters/db/database.ts';
import { createClave, type Clave } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { startTestClave, TEST_ENV, type TestClave } from '../support/clave.ts';
import { answerWrongly, apiCaptcha, loadDemoRegistry, mailedToken, verifiedPeople, verifyIdentity } from '../support/journey.ts';
import { cedulaRef } from '../../src/domain/tokens.ts';
import type { DemoAffiliate } from '../../src/adapters/registry/demo-registry.ts';
import { eventually } from '../support/outages.ts';
import { testClock, MINUTE } from '../support/clock.ts';

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

/** A database that can hold the next transaction to ask for an advisory lock, before it asks, until released. */
function withLockGate(db: Database) {
  let gate: { reached: () => void; released: Promise<void> } | undefined;
  const gated = (tx: Sql): Sql => ({
    async query<Row>(text: string, params?: readonly unknown[]) {
      if (gate && text.includes('pg_advisory_xact_lock')) {
        const { reached, released } = gate;
        gate = undefined;
        reached();
        await released;
      }
      return tx.query<Row>(text, params);
    },
    exec: (text) => tx.exec(text),
  });
  const gatedDb: Database = {
    engine: db.engine,
    query: (text, params) => db.query(text, params),
    exec: (text) => db.exec(text),
    transaction: (work) => db.transaction((tx) => work(gated(tx))),
    close: () => db.close(),
  };
  return {
    db: gatedDb,
    holdNext() {
      let release!: () => void;
      const released = new Promise<void>((resolve) => (release = resolve));
      const held = new Promise<void>((reached) => (gate = { reached, released }));
      return { held, release };
    },
  };
}

const postgres = backends().find((backend) => backend.name === 'postgres');

// PGlite runs one transaction at a time, so two follow-ups cannot overlap there.
describe('an older verdict whose follow-up waits for the lock while a newer one links, on postgres', { skip: postgres ? undefined : 'needs TEST_DATABASE_URL' }, () => {
  let opened: OpenedDatabase;
  let clave: Clave;
  let gate: ReturnType<typeof withLockGate>;
  before(async () => {
    opened = await postgres!.open();
    gate = withLockGate(opened.db);
    clave = await createClave(loadConfig({ ...TEST_ENV, CAPTCHA_MAX_NUMBER: '1000' }), { database: gate.db });
    await loadDemoRegistry(clave);
  });
  after(async () => {
    await clave.close();
    await opened.dispose();
  });

  /** Submits `older`, then holds its follow-up just before it asks for the cédula's lock until `newer`'s follow-up has committed. */
  async function overtaken(older: () => Promise<string>, newer: () => Promise<string>): Promise<{ older: string; newer: string }> {
    const olderFollowUp = gate.holdNext();
    const olderId = await older();
    try {
      await olderFollowUp.held;
      const newerId = await newer();
      const processed = async () => {
        const [row] = await opened.db.query<{ done: boolean }>('SELECT processed_at IS NOT NULL AS done FROM identity_outcomes WHERE flow_id = $1', [newerId]);
        return row?.done || undefined;
      };
      await eventually("the newer verdict's follow-up", 10_000, processed, 50);
      return { older: olderId, newer: newerId };
    } finally {
      olderFollowUp.release();
      await clave.settle();
    }
  }

  async function identityAudit(flowId: string) {
    const [row] = await opened.db.query<{ outcome: string; detail: Record<string, unknown> }>("SELECT outcome, detail FROM audit_events WHERE event = 'identity' AND flow_id = $1", [flowId]);
    return row;
  }

  async function redeemNewestLink(person: DemoAffiliate) {
    return clave.web.inject({ method: 'POST', url: '/api/v1/tokens/redeem', payload: { token: await mailedToken(clave, person.affiliate.correo!) } });
  }

  test('a right answer: nothing for the superseded flow, the newer link keeps working', async () => {
    const person = verifiedPeople()[0]!;
    const flows = await overtaken(() => verifyIdentity(clave, person), () => verifyIdentity(clave, person));
    assert.equal(clave.catcher!.list().filter((m) => m.to.includes(person.affiliate.correo!)).length, 1, 'one link mail');
    assert.equal((await identityAudit(flows.older))?.outcome, 'superseded');
    const redeemed = await redeemNewestLink(person);
    assert.equal(redeemed.statusCode, 200, redeemed.body);
    assert.equal(redeemed.json().flowId, flows.newer);
  });

  test('a wrong answer still counts and is told; the newer link keeps working', async () => {
    const person = verifiedPeople()[1]!;
    const flows = await overtaken(() => answerWrongly(clave, person), () => verifyIdentity(clave, person));
    const audit = await identityAudit(flows.older);
    assert.deepEqual([audit?.outcome, audit?.detail.remaining, audit?.detail.mail], ['failed', 2, 'queued']);
    const [failures] = await opened.db.query<{ n: number }>('SELECT count(*) AS n FROM identity_failures WHERE cedula_ref = $1', [cedulaRef(clave.secret, person.affiliate.cedula)]);
    assert.equal(failures?.n, 1);
    const redeemed = await redeemNewestLink(person);
    assert.equal(redeemed.statusCode, 200, redeemed.body);
    assert.equal(redeemed.json().flowId, flows.newer);
  });
});

// The gate holds one follow-up while nothing else runs, so PGlite can take part too.
for (const backend of backends()) {
  describe(`a right answer followed up only after its flow's deadline, on ${backend.name}`, () => {
    const clock = testClock();
    let opened: OpenedDatabase;
    let clave: Clave;
    let gate: ReturnType<typeof withLockGate>;
    before(async () => {
      opened = await backend.open();
      gate = withLockGate(opened.db);
      clave = await createClave(loadConfig({ ...TEST_ENV, CAPTCHA_MAX_NUMBER: '1000' }), { database: gate.db, clock: clock.now });
      await loadDemoRegistry(clave);
    });
    after(async () => {
      await clave.close();
      await opened.dispose();
    });

    test('gets no link: nothing queued or mailed, no token, audited as expired', async () => {
      const person = verifiedPeople()[0]!;
      const followUp = gate.holdNext();
      const flowId = await verifyIdentity(clave, person);
      await followUp.held;
      // A stalled instance or an outage holds the follow-up past the link's whole lifetime.
      clock.advance(clave.config.limits.recoveryLinkTtlMs + MINUTE);
      followUp.release();
      await clave.settle();
      const [audit] = await opened.db.query<{ outcome: string }>("SELECT outcome FROM audit_events WHERE event = 'identity' AND flow_id = $1", [flowId]);
      assert.equal(audit?.outcome, 'expired');
      const [stored] = await opened.db.query<{ tokens: number; queued: number }>(
        'SELECT (SELECT count(*) FROM tokens WHERE flow_id = $1)::int AS tokens, (SELECT count(*) FROM outbox WHERE cedula_ref = $2)::int AS queued',
        [flowId, cedulaRef(clave.secret, person.affiliate.cedula)],
      );
      assert.deepEqual(stored, { tokens: 0, queued: 0 });
      assert.deepEqual(clave.catcher!.list().filter((m) => m.to.includes(person.affiliate.correo!)), [], 'no mail');
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
