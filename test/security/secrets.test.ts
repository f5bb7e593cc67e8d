import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { backends } from '../support/backends.ts';
import { startTestClave, type TestClave } from '../support/clave.ts';
import { testClock, MINUTE } from '../support/clock.ts';
import { birthOf, correctAnswers, loadDemoRegistry, mailedToken, UNKNOWN_CEDULA, verifiedPeople } from '../support/journey.ts';
import { PageClient } from '../support/browserless.ts';
import { gateway, logSink, secretJourneys } from '../support/secret-journeys.ts';
import { createLogger } from '../../src/adapters/logger.ts';
import type { DemoAffiliate } from '../../src/adapters/registry/demo-registry.ts';

/**
 * Every log line (at level trace) and every body the app sends to a third party (the SMS
 * gateway) during complete journeys, searched for every secret the journeys used or the
 * server produced. Pages and mails to the owner legitimately carry the owner's own data
 * and link; they are not checked here. (The gateway, the log sink and the journey steps
 * that remember each secret: test/support/secret-journeys.ts.)
 */

describe('no secret reaches the logs or a third party during complete journeys', () => {
  let clave: TestClave | undefined;
  let stand: Awaited<ReturnType<typeof gateway>>;
  const clock = testClock();
  const { stream, logText } = logSink();
  const { secrets, secret, person, post, captchaForApi, submit, pageCaptcha, rightAnswers, wrongAnswers, noFuiYoToken } = secretJourneys(() => clave!);
  // The demo's three showcase people; Ana and Berta have a mobile number, so their security notices also go out by SMS.
  const [ana, berta, carla] = verifiedPeople() as [DemoAffiliate, DemoAffiliate, DemoAffiliate];
  const usedLinks: string[] = [];
  let disavowToken = '';

  before(async () => {
    stand = await gateway();
    clave = await startTestClave(backends()[0]!, { CAPTCHA_MAX_NUMBER: '1000', SMS_WEBHOOK_URL: stand.url }, { logger: createLogger('trace', stream), clock: clock.now });
    await loadDemoRegistry(clave);
    secret('server secret', clave.secret);
    person(ana, 'ana');
    person(berta, 'berta');
    person(carla, 'carla');
    secret('unknown cédula typed', UNKNOWN_CEDULA);
  });

  after(async () => {
    await clave?.dispose();
    stand?.server.close();
  });

  test('Generar through the API: wrong answers, right answers, the link, a weak clave, a good one', async () => {
    clock.advance(2 * MINUTE);
    const first = await post('/api/v1/flows', { kind: 'generate', cedula: ana.affiliate.cedula, captcha: await captchaForApi() });
    assert.equal(first.statusCode, 201, first.body);
    const right = await correctAnswers(clave!, ana);
    const wrong = await post(`/api/v1/flows/${first.json().flowId}/identity`, { ...birthOf(ana), answers: wrongAnswers(first.json().questions, right) });
    assert.equal(wrong.statusCode, 202, wrong.body);
    await clave!.settle();

    clock.advance(2 * MINUTE);
    const started = await post('/api/v1/flows', { kind: 'generate', cedula: ana.affiliate.cedula, captcha: await captchaForApi() });
    const { flowId } = started.json() as { flowId: string };
    const sent = await post(`/api/v1/flows/${flowId}/identity`, { ...birthOf(ana), answers: await rightAnswers(ana) });
    assert.equal(sent.statusCode, 202, sent.body);
    const link = secret('link token (Generar, API)', await mailedToken(clave!, ana.affiliate.correo!));
    const redeemed = await post('/api/v1/tokens/redeem', { token: link });
    assert.equal(redeemed.statusCode, 200, redeemed.body);
    usedLinks.push(link);
    const resetToken = secret('reset token (API)', redeemed.json().resetToken);
    const bearer = { authorization: `Bearer ${resetToken}` };
    for (const [password, confirmation] of [
      [secret('violating clave (has the cédula)', `Clave-${ana.affiliate.cedula}!`), `Clave-${ana.affiliate.cedula}!`],
      [secret('violating clave (common)', 'Password123!'), 'Password123!'],
      [secret('clave typed (Generar)', 'tigre-Nube-87-calle'), secret('mismatched confirmation', 'tigre-Nube-87-callex')],
    ] as const) {
      const refused = await post(`/api/v1/flows/${flowId}/password`, { password, confirmation }, bearer);
      assert.equal(refused.statusCode, 422, refused.body);
    }
    const done = await post(`/api/v1/flows/${flowId}/password`, { password: 'tigre-Nube-87-calle', confirmation: 'tigre-Nube-87-calle' }, bearer);
    assert.deepEqual(done.json(), { step: 'done' });
    await clave!.settle();
  });

  test('Recuperar through the pages: identity, the mailed link, the reset cookie, a weak clave, a good one', async () => {
    clock.advance(2 * MINUTE);
    const browser = new PageClient(clave!.web);
    const started = await submit(browser, '/clave/recuperar', { cedula: berta.affiliate.cedula, altcha: await pageCaptcha(browser) });
    assert.equal(started.statusCode, 303, started.body);
    const identityUrl = started.headers.location as string;
    const { birthDay, birthMonth } = birthOf(berta);
    const sent = await submit(browser, identityUrl, { birthDay: String(birthDay), birthMonth: String(birthMonth), ...(await rightAnswers(berta)) });
    assert.equal(sent.statusCode, 303, sent.body);
    const link = secret('link token (Recuperar, pages)', await mailedToken(clave!, berta.affiliate.correo!));
    assert.equal((await browser.get(`/clave/continuar?token=${link}`)).statusCode, 200);
    const continued = await submit(browser, `/clave/continuar?token=${link}`, { token: link }, '/clave/continuar');
    assert.equal(continued.headers.location, '/clave/nueva');
    usedLinks.push(link);
    const cookie = secret('clave_reset cookie', browser.cookie('clave_reset'));
    secret('reset token (clave_reset cookie)', cookie.slice(cookie.indexOf('.') + 1));
    const weak = await submit(browser, '/clave/nueva', { password: secret('violating clave (page)', 'corta-clave'), confirmation: 'corta-clave' });
    assert.equal(weak.statusCode, 422);
    const saved = await submit(browser, '/clave/nueva', { password: secret('clave typed (Recuperar)', 'lluvia-Verde-31-monte'), confirmation: 'lluvia-Verde-31-monte' });
    assert.equal(saved.headers.location, '/clave/lista');
    assert.equal((await browser.get('/clave/lista')).statusCode, 200);
    await clave!.settle();
  });

  test('Ingresar with wrong and right claves (API and pages), Mi cuenta, cerrar las demás, salir', async () => {
    const login = (cedula: string, password: string) => post('/api/v1/sessions', { cedula, password });
    assert.equal((await login(ana.affiliate.cedula, secret('wrong clave (API)', 'no-es-la-clave-1'))).statusCode, 401);
    assert.equal((await login(UNKNOWN_CEDULA, 'no-es-la-clave-1')).statusCode, 401);
    const ok = await login(ana.affiliate.cedula, 'tigre-Nube-87-calle');
    assert.equal(ok.statusCode, 201, ok.body);
    secret('session token (API)', ok.json().session);

    const first = new PageClient(clave!.web);
    const second = new PageClient(clave!.web);
    const refused = await submit(first, '/ingresar', { cedula: ana.affiliate.cedula, clave: secret('wrong clave (page)', 'tampoco-es-esta-2') });
    assert.equal(refused.statusCode, 401);
    for (const browser of [first, second]) {
      const signedIn = await submit(browser, '/ingresar', { cedula: ana.affiliate.cedula, clave: 'tigre-Nube-87-calle' });
      assert.equal(signedIn.headers.location, '/cuenta', signedIn.body.slice(0, 500));
      secret('session token (clave_sesion cookie)', browser.cookie('clave_sesion'));
    }
    assert.equal((await first.get('/cuenta')).statusCode, 200);
    const wrongCurrent = await submit(first, '/cuenta/clave', { current: secret('wrong current clave', 'no-es-esta-ahora'), password: 'nueva-Frase-77-larga', confirmation: 'nueva-Frase-77-larga' });
    assert.equal(wrongCurrent.statusCode, 422);
    const changed = await submit(first, '/cuenta/clave', { current: 'tigre-Nube-87-calle', password: secret('new clave (Mi cuenta)', 'nueva-Frase-77-larga'), confirmation: 'nueva-Frase-77-larga' });
    assert.equal(changed.headers.location, '/cuenta?hecho=clave');
    const ended = await submit(first, '/cuenta', {}, '/cuenta/sesiones');
    assert.equal(ended.headers.location, '/cuenta?hecho=sesiones');
    assert.equal((await second.get('/cuenta')).headers.location, '/ingresar?sesion=terminada');
    const out = await submit(first, '/cuenta', {}, '/salir');
    assert.equal(out.headers.location, '/?salio=1');
    assert.equal((await first.get('/cuenta')).headers.location, '/ingresar');
    await clave!.settle();
    disavowToken = secret('"No fui yo" token', noFuiYoToken(ana));
  });

  test('a lockout, then Desbloquear through the pages with its mailed link', async () => {
    // Carla gets a clave through the pages first (Generar), then locks herself out.
    clock.advance(2 * MINUTE);
    const browser = new PageClient(clave!.web);
    const started = await submit(browser, '/clave/generar', { cedula: carla.affiliate.cedula, altcha: await pageCaptcha(browser) });
    const { birthDay, birthMonth } = birthOf(carla);
    await submit(browser, started.headers.location as string, { birthDay: String(birthDay), birthMonth: String(birthMonth), ...(await rightAnswers(carla)) });
    const link = secret('link token (Generar, pages)', await mailedToken(clave!, carla.affiliate.correo!));
    await submit(browser, `/clave/continuar?token=${link}`, { token: link }, '/clave/continuar');
    usedLinks.push(link);
    secret('clave_reset cookie', browser.cookie('clave_reset'));
    const saved = await submit(browser, '/clave/nueva', { password: secret('clave typed (Generar, pages)', 'monte-Alto-19-valle'), confirmation: 'monte-Alto-19-valle' });
    assert.equal(saved.headers.location, '/clave/lista');

    for (let attempt = 1; attempt <= 5; attempt++) {
      await post('/api/v1/sessions', { cedula: carla.affiliate.cedula, password: secret('wrong clave (lockout)', `mala-clave-${attempt}-xyz`) });
    }
    const locked = await post('/api/v1/sessions', { cedula: carla.affiliate.cedula, password: 'monte-Alto-19-valle' });
    assert.equal(locked.json().error.code, 'CLV-040');

    clock.advance(2 * MINUTE);
    const unlock = new PageClient(clave!.web);
    const begun = await submit(unlock, '/clave/desbloquear', { cedula: carla.affiliate.cedula, altcha: await pageCaptcha(unlock) });
    assert.equal(begun.statusCode, 303, begun.body);
    const sent = await submit(unlock, begun.headers.location as string, { birthDay: String(birthDay), birthMonth: String(birthMonth) });
    assert.equal(sent.statusCode, 303, sent.body);
    const unlockLink = secret('link token (Desbloquear)', await mailedToken(clave!, carla.affiliate.correo!));
    assert.equal((await unlock.get(`/clave/continuar?token=${unlockLink}`)).statusCode, 200);
    const unlocked = await submit(unlock, `/clave/continuar?token=${unlockLink}`, { token: unlockLink }, '/clave/continuar');
    assert.equal(unlocked.headers.location, '/clave/desbloqueada');
    usedLinks.push(unlockLink);
    const back = await post('/api/v1/sessions', { cedula: carla.affiliate.cedula, password: 'monte-Alto-19-valle' });
    assert.equal(back.statusCode, 201, back.body);
    secret('session token (API)', back.json().session);
    await clave!.settle();
  });

  test('"No fui yo" from the notice locks the account', async () => {
    const browser = new PageClient(clave!.web);
    assert.equal((await browser.get(`/clave/no-fui-yo?token=${disavowToken}`)).statusCode, 200);
    const done = await submit(browser, `/clave/no-fui-yo?token=${disavowToken}`, { token: disavowToken }, `/clave/no-fui-yo?token=${disavowToken}`);
    assert.match((await browser.get(done.headers.location!)).body, /Bloqueamos su cuenta/);
    await clave!.settle();
  });

  test('error pages with a real token in the URL, and help searches with a cédula and an e-mail', async () => {
    const browser = new PageClient(clave!.web);
    for (const link of usedLinks) {
      const page = await browser.get(`/clave/continuar?token=${link}`);
      assert.match(page.body, /CLV-02[01]/);
      const api = await post('/api/v1/tokens/redeem', { token: link });
      assert.match(api.json().error.code, /CLV-02[01]/);
    }
    const reused = await browser.get(`/clave/no-fui-yo?token=${disavowToken}`);
    assert.match(reused.body, /CLV-021/);
    const again = await submit(browser, '/clave/recuperar', { token: usedLinks[0]! }, '/clave/continuar');
    assert.match(again.body, /CLV-021/, 'Continuar with a used link');
    assert.equal((await browser.get('/clave/nueva')).statusCode, 410);

    const q = encodeURIComponent(`mi cédula ${berta.affiliate.cedula} y mi correo ${berta.affiliate.correo} no funcionan`);
    assert.equal((await browser.get(`/ayuda/errores?q=${q}`)).statusCode, 200);
    assert.equal((await clave!.web.inject({ method: 'GET', url: `/api/v1/errors?q=${q}` })).statusCode, 200);
    assert.equal((await browser.get(`/no-existe/${berta.affiliate.cedula}?correo=${encodeURIComponent(berta.affiliate.correo!)}`)).statusCode, 404);
  });

  test('refusals that are logged with a reason: a broken JSON body, a form without its CSRF token, an oversized body', async () => {
    const clavePlain = secret('clave in a refused request', 'rota-Clave-44-json');
    const json = { 'content-type': 'application/json' };
    const inject = (url: string, payload: string, headers: Record<string, string>) => clave!.web.inject({ method: 'POST', url, payload, headers });
    assert.equal((await inject('/api/v1/sessions', `{"cedula":"${ana.affiliate.cedula}","password":"${clavePlain}"`, json)).statusCode, 400);
    assert.equal((await inject('/api/v1/sessions', `{"cedula":"${ana.affiliate.cedula}" "password":"${clavePlain}"}`, json)).statusCode, 400);
    assert.equal((await inject('/api/v1/tokens/redeem', `{"token":"${usedLinks[0]}}`, json)).statusCode, 400);
    assert.equal((await inject('/api/v1/sessions', `${ana.affiliate.correo} ${clavePlain}`, { 'content-type': 'text/plain' })).statusCode, 415);
    assert.equal((await inject('/api/v1/tokens/redeem', JSON.stringify({ token: usedLinks[0]!.repeat(2000) }), json)).statusCode, 413);
    const form = { 'content-type': 'application/x-www-form-urlencoded' };
    const body = new URLSearchParams({ cedula: ana.affiliate.cedula, clave: clavePlain }).toString();
    assert.equal((await inject('/ingresar', body, form)).statusCode, 403);
    assert.equal((await inject('/ingresar', `{"cedula":"${ana.affiliate.cedula}","clave":"${clavePlain}"`, json)).statusCode, 400);
  });

  test('the SMS gateway got the notices, the refused one again after its back-off', async () => {
    clock.advance(20 * MINUTE);
    await clave!.settle();
    assert.ok(stand.received.length >= 3, `SMS notices received: ${stand.received.length}`);
  });

  test('neither the log nor any request to the SMS gateway holds a secret', async () => {
    await clave!.dispose();
    clave = undefined;
    const log = logText();
    const lines = log.split('\n').filter(Boolean);
    assert.ok(lines.length >= 100, `the log holds ${lines.length} lines`);
    for (const line of lines) JSON.parse(line);
    const incoming = lines.filter((line) => /"msg":"incoming request"/.test(line));
    assert.ok(incoming.length >= 80, `request lines: ${incoming.length}`);
    assert.match(log, /"url":"\/clave\/continuar\?…"/, 'link URLs are logged, without their query');
    assert.match(log, /"url":"\/clave\/no-fui-yo\?…"/);
    assert.match(log, /"url":"\/ayuda\/errores\?…"/);
    assert.match(log, /"url":"\/api\/v1\/sessions"/);
    assert.match(log, /delivery failed; will retry/, 'the refused SMS was logged');
    assert.ok(lines.filter((line) => /"msg":"request refused"/.test(line)).length >= 5, 'refusals are logged with their reason');
    assert.match(log, /"msg":"form refused: CSRF"/);
    assert.ok(secrets.size >= 40, `secrets collected: ${secrets.size}`);

    const bodies = stand.received.map((r) => `${r.method} ${r.url}\n${JSON.stringify(r.headers)}\n${r.body}`);
    for (const body of stand.received.map((r) => JSON.parse(r.body) as { text: string })) assert.match(body.text, /Instituto de Prueba/);

    const leaks: string[] = [];
    for (const [value, label] of secrets) {
      const forms = new Set([value, encodeURIComponent(value), JSON.stringify(value).slice(1, -1)]);
      for (const form of forms) {
        for (const line of lines) if (line.includes(form)) leaks.push(`log: ${label} (${value}) in ${line}`);
        for (const body of bodies) if (body.includes(form)) leaks.push(`SMS gateway: ${label} (${value}) in ${body}`);
      }
    }
    assert.deepEqual(leaks, []);
  });
});
