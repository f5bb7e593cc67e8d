import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import type { DemoAffiliate } from '../../src/adapters/registry/demo-registry.ts';
import { birthOf } from '../support/journey.ts';
import { http } from '../support/outage-http.ts';
import { ANSWER_WITHIN_MS, eventually, linkMailFor, mailablePeople, outageSuite, pendingGauge, pendingInDatabase, rightAnswers, startFlow, tokenIn } from '../support/outages.ts';

/**
 * The SMTP server away for a minute, under a real `clave serve` process on a PostgreSQL
 * and an SMTP catcher that this file starts itself: journeys answer, the queue grows on
 * /metrics, and every mail arrives exactly once when it returns.
 */

/** The issue asks for a one-minute SMTP outage; the back-off (5 s doubling) is what makes it telling. */
const SMTP_OUTAGE_MS = 60_000;
/** How soon after the SMTP server returns the whole queue should be out (a worker poll and a few sends, with room for a slow machine). */
const SMTP_CATCH_UP_MS = 15_000;

outageSuite(`the SMTP server away for ${SMTP_OUTAGE_MS / 1000} s`, (lane) => {
  test('journeys answer, the queue grows on /metrics, every mail arrives exactly once after it returns', async (t) => {
    const { url, db } = await lane.database('clave_smtp');
    const catcher = await lane.catcher();
    const { server, base } = await lane.serve(url, catcher.url);
    const [warm, ...people] = mailablePeople(7) as [DemoAffiliate, ...DemoAffiliate[]];

    // Before the outage: mail flows, and the portal holds a pooled connection the outage will cut.
    const before = await startFlow(base, warm);
    assert.equal((await http(base, 'POST', `/api/v1/flows/${before.flowId}/identity`, { json: { ...birthOf(warm), answers: await rightAnswers(db, warm) } })).status, 202);
    await catcher.waitFor(linkMailFor(warm.affiliate.correo!), 15_000, 'the link before the outage');
    // The catcher has the mail a moment before the worker records it as sent.
    await eventually('clave_outbox_pending is on /metrics and 0 with nothing queued', 5_000, async () => ((await pendingGauge(base)) === 0 ? true : undefined), 100);

    await catcher.down();
    const outageStarted = Date.now();
    const outageEnds = outageStarted + SMTP_OUTAGE_MS;
    // Journeys spread over the outage; every other one answers wrong, which queues a failure notice instead of a link.
    const spacing = Math.floor((SMTP_OUTAGE_MS - 5000) / people.length);
    const gaugeSeen: number[] = [];
    const flows: { person: DemoAffiliate; flowId: string; right: boolean }[] = [];
    for (const [i, person] of people.entries()) {
      const at = outageStarted + i * spacing;
      if (Date.now() < at) await sleep(at - Date.now());
      const right = i % 2 === 0;
      const { flowId, answers: steps } = await startFlow(base, person, i % 3 === 2 ? 'generate' : 'recover');
      const { birthDay, birthMonth } = birthOf(person);
      const key = await rightAnswers(db, person);
      const identity = await http(base, 'POST', `/api/v1/flows/${flowId}/identity`, {
        json: right ? { birthDay, birthMonth, answers: key } : { birthDay: (birthDay % 28) + 1, birthMonth, answers: Object.fromEntries(Object.keys(key).map((id) => [id, 'none'])) },
      });
      assert.equal(identity.status, 202, identity.text);
      for (const step of [...steps, identity]) assert.ok(step.ms < ANSWER_WITHIN_MS, `a journey step took ${step.ms.toFixed(0)} ms during the SMTP outage`);
      flows.push({ person, flowId, right });
      // The verdict is followed up after the answer: wait for its mail to be queued, as the gauge shows it.
      gaugeSeen.push(
        await eventually(`clave_outbox_pending reaches ${i + 1}`, 10_000, async () => {
          const pending = await pendingGauge(base);
          return pending !== undefined && pending >= i + 1 ? pending : undefined;
        }),
      );
    }
    assert.ok(Date.now() < outageEnds, 'every journey ran while the catcher was down');
    assert.deepEqual(gaugeSeen, people.map((_, i) => i + 1), 'the queue grew by one message per journey');
    assert.equal(await pendingInDatabase(db), people.length, '/metrics agrees with the outbox');
    assert.equal(catcher.received.length, 1, 'nothing was delivered during the outage');
    assert.equal((await http(base, 'GET', '/readyz')).status, 200, 'an SMTP outage does not make the instance unready');
    const [{ retried }] = (await db.query<{ retried: number }>('SELECT count(*) AS retried FROM outbox WHERE sent_at IS NULL AND attempts > 1')) as [{ retried: number }];
    assert.ok(retried > 0, 'the worker kept trying during the outage');

    await sleep(Math.max(0, outageEnds - Date.now()));
    await catcher.up();
    const returnedAt = Date.now();
    // With the back-off (5 s doubling), a message's next try can come about as long after the return as it had already waited.
    await eventually('every queued mail delivered', SMTP_OUTAGE_MS + 15_000, async () => ((await pendingInDatabase(db)) === 0 ? true : undefined), 250);
    const lastArrival = Math.max(...catcher.received.map((m) => m.receivedAt));
    const catchUpMs = lastArrival - returnedAt;
    t.diagnostic(`SMTP outage ${SMTP_OUTAGE_MS / 1000} s; ${people.length} messages queued; the last arrived ${(catchUpMs / 1000).toFixed(1)} s after the catcher returned`);
    await t.test('the queue is flushed soon after the SMTP server returns, not at each message\'s next back-off', () => {
      assert.ok(catchUpMs < SMTP_CATCH_UP_MS, `the last queued mail arrived ${(catchUpMs / 1000).toFixed(1)} s after the SMTP server returned (want < ${SMTP_CATCH_UP_MS / 1000} s)`);
    });

    const queued = (await db.query<{ id: string }>("SELECT message->>'messageId' AS id FROM outbox")).map((row) => row.id);
    assert.equal(queued.length, people.length + 1);
    const receipts = (id: string) => catcher.received.filter((m) => m.messageId === id);
    if (queued.some((id) => receipts(id).length !== 1)) {
      // Seen once in CI and never reproduced: keep what would explain it.
      const rows = await db.query('SELECT id, attempts, available_at, sent_at FROM outbox ORDER BY id');
      const arrivals = catcher.received.map((m) => ({ messageId: m.messageId, msAfterReturn: m.receivedAt - returnedAt }));
      const worker = server.output().split('\n').filter((line) => /delivery|outbox/.test(line));
      t.diagnostic(`outbox rows ${JSON.stringify(rows)}; arrivals ${JSON.stringify(arrivals)}; worker log ${JSON.stringify(worker)}`);
    }
    for (const id of queued) assert.equal(receipts(id).length, 1, `${id} delivered exactly once`);
    assert.equal(catcher.received.length, queued.length, 'no mail beyond what the outbox holds');
    for (const { person, right } of flows) {
      const mine = catcher.received.filter((m) => m.to.includes(person.affiliate.correo!));
      assert.equal(mine.length, 1, `one mail for ${person.affiliate.correo}`);
      assert.equal(tokenIn(mine[0]!) !== undefined, right, right ? 'a link for right answers' : 'a notice, no link, for wrong answers');
    }
    assert.equal(await pendingGauge(base), 0, 'the gauge is back to 0');
    assert.match(server.output(), /delivery failed; will retry/);
    assert.equal(await server.stop(), 0);
  });
});
