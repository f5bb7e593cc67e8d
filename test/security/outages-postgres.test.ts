import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { DemoAffiliate } from '../../src/adapters/registry/demo-registry.ts';
import { csrfToken } from '../support/browserless.ts';
import { solveCaptcha } from '../support/captcha.ts';
import { birthOf } from '../support/journey.ts';
import { Browser, http, type Answer } from '../support/outage-http.ts';
import { ANSWER_WITHIN_MS, eventually, linkMailFor, mailablePeople, outageSuite, rightAnswers, startFlow, tokenIn } from '../support/outages.ts';

/**
 * PostgreSQL outages, on a PostgreSQL that this file starts itself (the machine's shared
 * one is never stopped) under a real `clave serve` process: stopped, or frozen with its
 * connections open. /readyz 503 and CLV-090 within 2 s, then the same instance serves
 * again once the database is back.
 */

outageSuite('PostgreSQL stopped and started, then frozen', (lane) => {
  test('PostgreSQL stopped: /readyz 503 and CLV-090 within 2 s; started again: the same instance serves journeys', async (t) => {
    const { url, db } = await lane.database('clave_pg');
    const catcher = await lane.catcher();
    const { server, base } = await lane.serve(url, catcher.url);
    const [person, other] = mailablePeople(2) as [DemoAffiliate, DemoAffiliate];
    const { flowId } = await startFlow(base, person);
    assert.equal((await http(base, 'GET', `/clave/flujo/${flowId}/identidad`)).status, 200);
    assert.equal((await http(base, 'GET', '/readyz')).status, 200);
    const answers = await rightAnswers(db, person);
    const otherCaptcha = await solveCaptcha((await http(base, 'POST', '/api/v1/captcha', { json: {} })).json().challenge);
    const browser = new Browser(base);
    const form = await browser.get('/clave/recuperar');
    assert.equal(form.status, 200);

    await lane.postgres.stop();
    const slow: string[] = [];
    const timed = (what: string, answer: Answer) => {
      if (answer.ms >= ANSWER_WITHIN_MS) slow.push(`${what}: ${answer.ms.toFixed(0)} ms`);
      return answer;
    };
    const apiUnavailable = (what: string, answer: Answer) => {
      timed(what, answer);
      assert.equal(answer.status, 503, `${what}: ${answer.status} ${answer.text.slice(0, 300)}`);
      assert.equal(answer.json().error.code, 'CLV-090', what);
    };
    const pageUnavailable = (what: string, answer: Answer) => {
      timed(what, answer);
      assert.equal(answer.status, 503, `${what}: ${answer.status}`);
      assert.match(answer.text, /CLV-090/, what);
      assert.doesNotMatch(answer.text, /at .+\.ts:\d+|StorageUnavailable|ECONNREFUSED/, `${what}: no internals shown`);
    };

    // Twice: once as the pool finds its connections gone, once with nothing left to reuse.
    for (const round of [1, 2]) {
      const ready = timed(`readyz #${round}`, await http(base, 'GET', '/readyz'));
      assert.equal(ready.status, 503, `/readyz while the database is down (#${round})`);
      assert.equal(timed(`healthz #${round}`, await http(base, 'GET', '/healthz')).status, 200, 'the process is alive');
      assert.equal(timed(`home #${round}`, await http(base, 'GET', '/')).status, 200, 'the home page needs no database');
      pageUnavailable(`identity page #${round}`, await http(base, 'GET', `/clave/flujo/${flowId}/identidad`));
      pageUnavailable(`start form post #${round}`, await browser.post('/clave/recuperar', { _csrf: csrfToken(form.text), cedula: other.affiliate.cedula, altcha: otherCaptcha }));
      apiUnavailable(`login API #${round}`, await http(base, 'POST', '/api/v1/sessions', { json: { cedula: person.affiliate.cedula, password: 'cualquier-Clave-12-mal' } }));
      apiUnavailable(`identity API #${round}`, await http(base, 'POST', `/api/v1/flows/${flowId}/identity`, { json: { ...birthOf(person), answers } }));
      apiUnavailable(`start API #${round}`, await http(base, 'POST', '/api/v1/flows', { json: { kind: 'recover', cedula: other.affiliate.cedula, captcha: otherCaptcha } }));
      assert.equal(timed(`metrics #${round}`, await http(base, 'GET', '/metrics')).status, 200, 'metrics still scrape');
    }
    // Many at once: nobody queues behind a pool waiting for connections that cannot come.
    const burst = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        i % 2 === 0 ? http(base, 'POST', '/api/v1/sessions', { json: { cedula: person.affiliate.cedula, password: `otra-Clave-${i}-mala` } }) : http(base, 'GET', `/clave/flujo/${flowId}/identidad`),
      ),
    );
    for (const [i, answer] of burst.entries()) {
      if (i % 2 === 0) apiUnavailable(`burst login ${i}`, answer);
      else pageUnavailable(`burst page ${i}`, answer);
    }
    t.diagnostic(`slowest answer while PostgreSQL was down: ${Math.max(...burst.map((a) => a.ms)).toFixed(0)} ms (burst of ${burst.length})`);
    assert.deepEqual(slow, [], `every answer within ${ANSWER_WITHIN_MS} ms`);
    assert.equal(server.child.exitCode, null, 'the instance survived the outage');

    await lane.postgres.start();
    await eventually('/readyz 200 again', 15_000, async () => ((await http(base, 'GET', '/readyz')).status === 200 ? true : undefined));
    assert.equal(server.child.exitCode, null, 'no restart: the same process');
    assert.equal((await http(base, 'GET', `/clave/flujo/${flowId}/identidad`)).status, 200);
    const sent = await http(base, 'POST', `/api/v1/flows/${flowId}/identity`, { json: { ...birthOf(person), answers } });
    assert.equal(sent.status, 202, sent.text);
    const mail = await catcher.waitFor(linkMailFor(person.affiliate.correo!), 20_000, 'the link after the database returned');
    const redeemed = await http(base, 'POST', '/api/v1/tokens/redeem', { json: { token: tokenIn(mail) } });
    assert.equal(redeemed.status, 200, redeemed.text);
    const again = await startFlow(base, other);
    assert.ok(again.flowId);
    assert.equal(await server.stop(), 0);
  });

  test(
    'PostgreSQL frozen (SIGSTOP: connections open, nothing answers): /readyz 503 and CLV-090 within 2 s, then served again',
    async () => {
      const { url } = await lane.database('clave_frozen');
      const catcher = await lane.catcher();
      const { server, base } = await lane.serve(url, catcher.url);
      const [person] = mailablePeople(1) as [DemoAffiliate];
      const { flowId } = await startFlow(base, person);
      // Open connections the pool keeps idle, as a busy instance has.
      const warm = await Promise.all(Array.from({ length: 4 }, () => http(base, 'GET', `/clave/flujo/${flowId}/identidad`)));
      assert.deepEqual(warm.map((answer) => answer.status), [200, 200, 200, 200], warm.map((answer) => answer.text.slice(0, 200)).join(' | '));
      await lane.postgres.freeze();
      try {
        const within = { timeoutMs: 3 * ANSWER_WITHIN_MS };
        const ready = await http(base, 'GET', '/readyz', within);
        assert.equal(ready.status, 503);
        assert.ok(ready.ms < ANSWER_WITHIN_MS, `/readyz took ${ready.ms.toFixed(0)} ms`);
        for (let i = 0; i < 3; i++) {
          const page = await http(base, 'GET', `/clave/flujo/${flowId}/identidad`, within);
          assert.equal(page.status, 503);
          assert.match(page.text, /CLV-090/);
          assert.ok(page.ms < ANSWER_WITHIN_MS, `the identity page took ${page.ms.toFixed(0)} ms`);
        }
      } finally {
        lane.postgres.thaw();
      }
      await eventually('/readyz 200 again', 15_000, async () => ((await http(base, 'GET', '/readyz')).status === 200 ? true : undefined));
      assert.equal((await http(base, 'GET', `/clave/flujo/${flowId}/identidad`)).status, 200);
      assert.equal(await server.stop(), 0);
    },
  );
});
