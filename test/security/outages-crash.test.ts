import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import type { DemoAffiliate } from '../../src/adapters/registry/demo-registry.ts';
import { birthOf, verifiedPeople } from '../support/journey.ts';
import { http } from '../support/outage-http.ts';
import { eventually, killHard, linkMailFor, outageSuite, pendingInDatabase, rightAnswers, startFlow, tokenIn, type Lane } from '../support/outages.ts';

/**
 * Crashes, with real `clave serve` processes on a PostgreSQL and an SMTP catcher that this
 * file starts itself: kill -9 between the identity step and sending, and another instance
 * delivers the link. (The database outages: outages-postgres; the SMTP outage: outages-smtp.)
 */

/** How long a claimed outbox message stays hidden from other workers (outbox-worker.ts `leaseMs`). */
const OUTBOX_LEASE_MS = 60_000;

/** A Recuperar flow up to a committed identity step, then the instance is killed with SIGKILL; a new instance must finish the job. */
async function crashAfterIdentity(t: TestContext, lane: Lane, database: string, person: DemoAffiliate, moment: 'right after the 202' | 'while sending') {
  const t0 = Date.now();
  const phase = (what: string) => t.diagnostic(`${((Date.now() - t0) / 1000).toFixed(1)} s: ${what}`);
  const { url, db } = await lane.database(database);
  const catcher = await lane.catcher();
  const first = await lane.serve(url, catcher.url);
  phase('first instance serving');
  const address = person.affiliate.correo!;
  const { flowId } = await startFlow(first.base, person);
  const answers = await rightAnswers(db, person);

  // The mail server is away (refusing, or accepting and never answering), so whatever
  // the instance got to, it cannot have delivered the link.
  if (moment === 'right after the 202') await catcher.down();
  else await catcher.blackHole();
  const sent = await http(first.base, 'POST', `/api/v1/flows/${flowId}/identity`, { json: { ...birthOf(person), answers } });
  assert.equal(sent.status, 202, sent.text);
  if (moment === 'while sending') {
    // The link is queued and claimed by this instance's worker, its send hanging on the silent server.
    await eventually('the link claimed by the worker', 10_000, async () => {
      const rows = await db.query("SELECT 1 FROM outbox WHERE recipient = $1 AND sent_at IS NULL AND attempts = 1 AND available_at > now() + interval '30 seconds'", [address]);
      return rows.length === 1 ? true : undefined;
    });
  }
  await killHard(first.server);
  const killedAt = Date.now();

  assert.equal(catcher.received.length, 0, 'nothing was delivered before the crash');
  const [state] = await db.query<{ flow: string; outcome: string; processed: boolean }>(
    `SELECT f.state AS flow, o.verdict AS outcome, o.processed_at IS NOT NULL AS processed
     FROM recovery_flows f JOIN identity_outcomes o ON o.flow_id = f.id WHERE f.id = $1`,
    [flowId],
  );
  assert.deepEqual({ flow: state?.flow, outcome: state?.outcome }, { flow: 'check_email', outcome: 'verified' }, 'the 202 was committed with its verdict');
  assert.equal((await db.query('SELECT 1 FROM outbox WHERE sent_at IS NOT NULL')).length, 0, 'nothing marked sent');
  const outbox = await db.query<{ attempts: number; due_in_s: number }>('SELECT attempts, round(extract(epoch FROM available_at - now())) AS due_in_s FROM outbox WHERE recipient = $1', [address]);
  t.diagnostic(`at the kill -9: verdict ${state!.processed ? 'followed up' : 'not yet followed up'}; the person's outbox rows: ${JSON.stringify(outbox)}`);

  await catcher.up();
  const second = await lane.serve(url, catcher.url);
  phase('second instance serving');
  // A message claimed by the dead instance is free again once its lease runs out.
  const mail = await catcher.waitFor(linkMailFor(address), OUTBOX_LEASE_MS + 20_000, 'the link after the crash');
  t.diagnostic(`link delivered by the new instance ${((mail.receivedAt - killedAt) / 1000).toFixed(1)} s after the kill -9`);

  const redeemed = await http(second.base, 'POST', '/api/v1/tokens/redeem', { json: { token: tokenIn(mail) } });
  assert.equal(redeemed.status, 200, redeemed.text);
  assert.equal(redeemed.json().flowId, flowId);
  const password = 'tormenta-Clara-42-rio';
  const done = await http(second.base, 'POST', `/api/v1/flows/${flowId}/password`, { json: { password, confirmation: password }, headers: { authorization: `Bearer ${redeemed.json().resetToken}` } });
  assert.equal(done.status, 200, done.text);
  assert.deepEqual(done.json(), { step: 'done' });
  const login = await http(second.base, 'POST', '/api/v1/sessions', { json: { cedula: person.affiliate.cedula, password } });
  assert.equal(login.status, 201, login.text);
  phase('flow completed');

  // Nothing stuck and nothing twice: every queued message delivered once, the link only once.
  await eventually('the outbox emptied', 30_000, async () => ((await pendingInDatabase(db)) === 0 ? true : undefined));
  const queued = (await db.query<{ id: string }>("SELECT message->>'messageId' AS id FROM outbox")).map((row) => row.id);
  assert.ok(queued.length >= 2, 'the link and the notice of the change');
  for (const id of queued) assert.equal(catcher.received.filter((m) => m.messageId === id).length, 1, `${id} delivered once`);
  assert.equal(catcher.received.length, queued.length, 'no mail that the outbox does not hold');
  assert.equal(catcher.received.filter(linkMailFor(address)).length, 1, 'one link');
  const [outcome] = await db.query<{ processed: boolean }>('SELECT processed_at IS NOT NULL AS processed FROM identity_outcomes WHERE flow_id = $1', [flowId]);
  assert.equal(outcome?.processed, true);
  phase('outbox empty');
  assert.equal(await second.server.stop(), 0);
  phase('stopped');
}

outageSuite('kill -9 between the identity step and sending', (lane) => {
  test('kill -9 right after the identity step answered: a new instance follows up the verdict and delivers the link; the flow completes', async (t) => {
    await crashAfterIdentity(t, lane, 'clave_crash_answered', verifiedPeople()[0]!, 'right after the 202');
  });

  test('kill -9 while the link is being sent: a new instance sends it once the lease runs out; the flow completes', async (t) => {
    await crashAfterIdentity(t, lane, 'clave_crash_sending', verifiedPeople()[1]!, 'while sending');
  });
});
