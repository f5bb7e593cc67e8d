import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { PageClient } from '../support/browserless.ts';
import { Gen, REQUESTS, Rng, SEED, STRONG } from '../support/hostile-generate.ts';
import { ROUTES } from '../support/hostile-routes.ts';
import { INSTITUTE, newTally, sendGenerated, sendRaw } from '../support/hostile-storm.ts';
import { stormFixtures, useHostileClave, xssPerson } from '../support/hostile.ts';
import { giveClave, UNKNOWN_CEDULA } from '../support/journey.ts';

/**
 * Hostile input across every route: thousands of generated requests (empty, huge, wrong
 * types, markup, SQL fragments, control characters, invalid UTF-8, duplicated fields,
 * wrong content types, header abuse). No answer may be a 5xx, every refusal is a clear
 * catalogue error (a JSON error for the API, a whole institute page otherwise), no stack
 * or raw markup ever comes back, nothing is left unhandled, and the process is healthy
 * afterwards. (Registry markup shown escaped: hostile-input-markup.test.ts.)
 *
 * Reproduce a failure with the printed seed: CLAVE_FUZZ_SEED=<seed> node scripts/run-tests.js test/security/hostile-input-storm.test.ts
 * (CLAVE_FUZZ_REQUESTS=<n> changes the number of generated requests).
 * The generator, the routes and the checks are in test/support/hostile-*.ts.
 */

describe('request storm: hostile input on every route', { timeout: 300_000 }, () => {
  const app = useHostileClave();
  // The person with markup for a name holds a clave and has been mailed, so the storm's
  // logins and mailbox pages meet marked-up data too.
  before(() => giveClave(app.clave, xssPerson, STRONG));

  test('a storm of generated requests: no 5xx, only catalogue errors, nothing unhandled', async () => {
    const { clave } = app;
    const fx = await stormFixtures(clave);

    // The storm.
    const g = new Gen(new Rng(SEED), fx);
    const storm = newTally();
    const { failures, failureKinds, byClass, byRoute } = storm;
    const started = performance.now();
    await sendGenerated(clave, g, storm);
    await sendRaw(clave, storm);

    const elapsed = (performance.now() - started) / 1000;
    const total = REQUESTS + storm.rawCount;
    const classes = Object.entries(byClass).sort().map(([k, v]) => `${k}=${v}`).join(' ');
    console.log(`hostile-input: seed=${SEED} requests=${total} ${classes} max-latency=${storm.maxLatency.toFixed(0)}ms (${storm.slowest}) in ${elapsed.toFixed(1)}s`);
    if (process.env.CLAVE_FUZZ_VERBOSE) {
      for (const [name, tally] of [...byRoute].sort()) console.log(`  ${name}: ${tally.count} (${(tally.ms / 1000).toFixed(1)}s) ${[...tally.statuses].sort((a, b) => a[0] - b[0]).map(([s, n]) => `${s}×${n}`).join(' ')}`);
    }

    // Nothing unhandled, nothing logged as a failure, no 5xx counted by the app itself.
    await clave.settle();
    const metrics = await clave.web.inject({ method: 'GET', url: '/metrics' });
    const fiveHundreds = [...metrics.body.matchAll(/^http_request_duration_seconds_count\{([^}]*status_code="5\d\d"[^}]*)\} (\d+)/gm)].filter((m) => Number(m[2]) > 0).map((m) => `${m[1]} ${m[2]}`);
    const report = [
      ...failures.map((f) => `• ${f}`),
      ...[...failureKinds].filter(([, n]) => n > 2).map(([kind, n]) => `• (${n} times in all) ${kind}`),
      ...app.unhandled.map((u) => `• ${u}`),
      ...app.groupedErrorLogs().map((line) => `• logged: ${line}`),
      ...fiveHundreds.map((line) => `• metrics: 5xx answered: ${line}`),
    ];
    assert.equal(report.length, 0, `seed ${SEED}: ${report.length} problems\n${report.join('\n')}`);

    // Every route was exercised, and the forms were reached past their CSRF check.
    assert.ok(total >= 10_000, `only ${total} requests`);
    for (const route of ROUTES) {
      const tally = byRoute.get(route.name);
      assert.ok(tally && tally.count >= 50, `${route.name} was sent only ${tally?.count ?? 0} requests`);
      if (route.csrf && route.method === 'POST') {
        const past = [...tally.statuses].filter(([status]) => status !== 403).reduce((sum, [, n]) => sum + n, 0);
        assert.ok(past > 0, `${route.name} never got past its CSRF check`);
      }
    }
    const reached = (name: string, status: number) => (byRoute.get(name)?.statuses.get(status) ?? 0) > 0;
    assert.ok(reached('GET /cuenta', 200), 'GET /cuenta was reached with a live session');
    assert.ok(reached('GET /clave/flujo/:id/identidad', 200), 'the identity page of a real flow was shown');
    assert.ok(reached('POST /api/v1/flows/:id/identity', 422), 'API identity refused a malformed form on a real flow');
  });

  test('after the storm the process is healthy and a normal journey still works', async () => {
    const { clave } = app;
    // The storm's own failures are reported above; this checks only what happens from here on.
    const errorsBeforeCheck = app.errorLogs().length;
    const health = await clave.web.inject({ method: 'GET', url: '/healthz' });
    assert.equal(health.statusCode, 200);
    const ready = await clave.web.inject({ method: 'GET', url: '/readyz' });
    assert.equal(ready.statusCode, 200, ready.body);
    const home = await clave.web.inject({ method: 'GET', url: '/' });
    assert.equal(home.statusCode, 200);
    assert.ok(home.body.includes(INSTITUTE));
    const captcha = await clave.web.inject({ method: 'POST', url: '/api/v1/captcha' });
    assert.equal(captcha.statusCode, 200, captcha.body);
    const browser = new PageClient(clave.web);
    const started = await browser.submit('/clave/recuperar', { cedula: UNKNOWN_CEDULA, altcha: await browser.captcha() });
    assert.equal(started.statusCode, 303, started.body.slice(0, 300));
    const identity = await browser.get(String(started.headers.location));
    assert.equal(identity.statusCode, 200);
    assert.equal(app.unhandled.length, 0, `nothing was left unhandled, yet:\n${app.unhandled.slice(0, 3).join('\n')}`);
    const errors = app.errorLogs().slice(errorsBeforeCheck);
    assert.equal(errors.length, 0, `${errors.length} error lines were logged, the first:\n${errors.slice(0, 2).join('\n')}`);
  });
});
