import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { backends } from '../support/backends.ts';
import { startTestClave, type TestClave } from '../support/clave.ts';
import { giveClave, loadDemoRegistry, mailablePeople, mailedToken, verifyIdentity } from '../support/journey.ts';
import { csrfToken, PageClient, visibleText } from '../support/browserless.ts';
import type { DemoAffiliate } from '../../src/adapters/registry/demo-registry.ts';

const STRONG = 'lluvia-Verde-31-monte';
const CLAVE = 'tejado-Rojo-58-valle';
const GUESSABLE = 'Password123!';
const CHECKS = 6;

/**
 * As `npm start` does once it listens: the check thread loaded before anyone types. A meter
 * check never waits long for a thread (a loading one answers CLV-090), and on a busy
 * machine loading takes seconds.
 */
async function checkerReady(clave: TestClave): Promise<void> {
  clave.clavePolicy.start();
  while (clave.clavePolicy.readyThreads === 0) await sleep(50);
}

interface Verdict {
  violations: string[];
  score: number | null;
}

/** A clave of the person's own surname that passes every rule that looks at nothing of theirs. */
const withSurname = (person: DemoAffiliate) => `${person.affiliate.apellidos.split(' ')[0]}-Tarde-93-cerro`;

for (const backend of backends()) {
  describe(`the live meter of a new clave on ${backend.name}`, () => {
    let clave: TestClave;
    const [ana, berta, carla, dora] = mailablePeople(4);

    before(async () => {
      clave = await startTestClave(backend, { CAPTCHA_MAX_NUMBER: '1000', CLAVE_CHECKS_PER_SESSION: String(CHECKS) });
      await loadDemoRegistry(clave);
      await checkerReady(clave);
    });
    after(async () => clave.dispose());

    /** A browser holding the reset session of a Recuperar flow (step 4), and the form's CSRF token. */
    async function atStepFour(person: DemoAffiliate): Promise<{ browser: PageClient; csrf: string }> {
      await verifyIdentity(clave, person);
      const browser = new PageClient(clave.web);
      const token = await mailedToken(clave, person.affiliate.correo!);
      const continued = await browser.submit(`/clave/continuar?token=${token}`, { token });
      assert.equal(continued.headers.location, '/clave/nueva');
      const form = await browser.get('/clave/nueva');
      return { browser, csrf: csrfToken(form.body) };
    }

    test('Recuperar step 4: the whole policy against the person, as saving will judge it', async () => {
      const { browser, csrf } = await atStepFour(ana!);
      const page = await browser.get('/clave/nueva');
      assert.match(page.body, /data-strength-url="\/clave\/nueva\/comprobar" data-live-personal/);
      assert.match(page.body, /data-level-2="fácil\. Así no se aceptará: agregue otra palabra poco común o alárguela\."/);
      assert.match(page.body, /<li data-practice="personal" aria-atomic="true">no incluye su cédula, su fecha de nacimiento, su nombre ni el nombre del instituto </, 'the row names everything the rule looks at');
      assert.match(page.body, /data-too-long="\(no cumple: tiene más de 128 caracteres\)"/);
      // More letters fix a short clave, not one holding a surname: the personal row does not say "todavía".
      assert.match(page.body, /data-practice="personal"[^\n]*data-not-met="no cumple: quite esos datos"/);
      assert.match(page.body, /data-practice="length"[^\n]*data-not-met="no cumple todavía"/);
      const check = async (password: string) => {
        const response = await browser.post('/clave/nueva/comprobar', { _csrf: csrf, password });
        assert.equal(response.statusCode, 200, response.body);
        assert.equal(response.headers['cache-control'], 'no-store');
        return response.json() as Verdict;
      };

      const guessable = await check(GUESSABLE);
      assert.deepEqual(guessable.violations, ['CLV-033'], 'long and varied enough, and still refused: the meter says so before saving');
      assert.ok(guessable.score! < 3);
      const strong = await check(STRONG);
      assert.deepEqual(strong.violations, []);
      assert.ok(strong.score! >= 3);
      assert.ok((await check(withSurname(ana!))).violations.includes('CLV-032'), 'the person proved who they are: their data counts');
      assert.deepEqual(await check('x'.repeat(129)), { violations: ['CLV-030'], score: null }, 'too long to score');
      const empty = await check('');
      assert.ok(empty.violations.includes('CLV-030'));

      // The meter is advice, not a step: the clave is still judged, and saved, only when sent.
      const saved = await browser.submit('/clave/nueva', { password: STRONG, confirmation: STRONG });
      assert.equal(saved.headers.location, '/clave/lista');
      const after = await browser.post('/clave/nueva/comprobar', { _csrf: csrf, password: STRONG });
      // The reset session is spent: nothing more to check, and no "time is over" (410) either: the clave was saved.
      assert.equal(after.statusCode, 303);
      assert.equal(after.headers.location, '/clave/lista');
    });

    test('a clave already used is never told as it is typed, nor is a confirmation asked', async () => {
      await giveClave(clave, carla!, CLAVE);
      const { browser, csrf } = await atStepFour(carla!);
      const verdict = (await browser.post('/clave/nueva/comprobar', { _csrf: csrf, password: CLAVE })).json() as Verdict;
      assert.deepEqual(verdict.violations, [], 'reuse (CLV-034) costs argon2id work and is judged when the clave is sent');
      const sent = await browser.submit('/clave/nueva', { password: CLAVE, confirmation: CLAVE });
      assert.match(sent.body, /CLV-034/);
    });

    test('refused without the reset session, without the form token, and past CLAVE_CHECKS_PER_SESSION', async () => {
      const { browser, csrf } = await atStepFour(berta!);
      const stranger = new PageClient(clave.web);
      const strangerCsrf = csrfToken((await stranger.get('/clave/recuperar')).body);
      const noSession = await stranger.post('/clave/nueva/comprobar', { _csrf: strangerCsrf, password: STRONG });
      assert.equal(noSession.statusCode, 410);
      assert.match(visibleText(noSession.body), /El proceso caducó \(CLV-050\)|CLV-050/);
      assert.equal((await browser.post('/clave/nueva/comprobar', { password: STRONG })).statusCode, 403, 'CSRF, as every form');

      const hostile = await clave.web.inject({
        method: 'POST',
        url: '/clave/nueva/comprobar',
        cookies: { clave_reset: browser.cookie('clave_reset')!, clave_csrf: browser.cookie('clave_csrf')! },
        payload: { _csrf: csrf, password: ['<script>', 1] },
      });
      assert.equal(hostile.statusCode, 200, 'not a string: checked as nothing typed, never a 500');
      assert.ok((hostile.json() as Verdict).violations.includes('CLV-030'));

      for (let i = 1; i < CHECKS; i++) assert.equal((await browser.post('/clave/nueva/comprobar', { _csrf: csrf, password: `${STRONG}${i}` })).statusCode, 200);
      const over = await browser.post('/clave/nueva/comprobar', { _csrf: csrf, password: STRONG });
      assert.equal(over.statusCode, 429);
      assert.ok(Number(over.headers['retry-after']) > 0);
      assert.match(visibleText(over.body), /CLV-004/);
      const saved = await browser.submit('/clave/nueva', { password: STRONG, confirmation: STRONG });
      assert.equal(saved.headers.location, '/clave/lista', 'the meter stopped; saving did not');
    });

    test('the API gives the app the same meter under the reset token, in the language asked', async () => {
      const person = mailablePeople(5)[4]!;
      const flowId = await verifyIdentity(clave, person);
      const redeemed = await clave.web.inject({ method: 'POST', url: '/api/v1/tokens/redeem', payload: { token: await mailedToken(clave, person.affiliate.correo!) } });
      const authorization = `Bearer ${redeemed.json().resetToken}`;
      const check = (password: unknown, headers: Record<string, string> = { authorization }) => clave.web.inject({ method: 'POST', url: `/api/v1/flows/${flowId}/password/check`, payload: { password }, headers });

      const guessable = await check(GUESSABLE, { authorization, 'accept-language': 'en' });
      assert.equal(guessable.statusCode, 200);
      assert.equal(guessable.headers['cache-control'], 'no-store');
      assert.deepEqual(guessable.json().violations, [{ code: 'CLV-033', message: 'The clave is too easy to guess' }]);
      assert.ok(guessable.json().score < 3);
      assert.deepEqual((await check(STRONG)).json().violations, []);
      assert.equal((await check({ not: 'a string' })).statusCode, 200, 'not a string: nothing typed, never a 500');
      const anonymous = await check(STRONG, {});
      assert.equal(anonymous.statusCode, 410);
      assert.equal(anonymous.json().error.code, 'CLV-050');
      const done = await clave.web.inject({ method: 'POST', url: `/api/v1/flows/${flowId}/password`, payload: { password: STRONG, confirmation: STRONG }, headers: { authorization } });
      assert.equal(done.statusCode, 200, 'checking spent nothing of the reset token');
      assert.equal((await check(STRONG)).statusCode, 410, 'and after the change, nothing is checked');
    });

    test('Mi cuenta: checked against nobody, so an open session learns nothing of its owner', async () => {
      await giveClave(clave, dora!, CLAVE);
      const browser = new PageClient(clave.web);
      assert.equal((await browser.submit('/ingresar', { cedula: dora!.affiliate.cedula, clave: CLAVE })).headers.location, '/cuenta');
      const form = await browser.get('/cuenta/clave');
      assert.match(form.body, /data-strength-url="\/cuenta\/clave\/comprobar" data-min/, 'no live personal-data check here');
      assert.match(form.body, /<li data-practice="personal" aria-atomic="true">[^<]+<span class="clave-checklist__hint">\(se comprueba al guardar\)<\/span><\/li>/, 'and the checklist says when it is checked');
      // Only reuse here is checked: the note must not suggest other sites' claves are known.
      assert.match(visibleText(form.body), /no es una clave que ya usó aquí \(se comprueba al guardar\) ni una que use en otros sitios, algo que no podemos comprobar: depende de usted/);
      const csrf = csrfToken(form.body);
      const check = async (password: string) => (await browser.post('/cuenta/clave/comprobar', { _csrf: csrf, password })).json() as Verdict;

      assert.deepEqual((await check(GUESSABLE)).violations, ['CLV-033']);
      assert.deepEqual((await check(withSurname(dora!))).violations, [], 'the surname is not told before the current clave is');
      const changed = await browser.submit('/cuenta/clave', { current: CLAVE, password: withSurname(dora!), confirmation: withSurname(dora!) });
      assert.match(changed.body, /CLV-032/, 'after the current clave, saving tells it');

      const signedOut = await new PageClient(clave.web).post('/cuenta/clave/comprobar', { _csrf: csrf, password: STRONG });
      assert.equal(signedOut.statusCode, 403, 'no CSRF cookie of its own');
      const ended = await clave.web.inject({ method: 'POST', url: '/cuenta/clave/comprobar', cookies: { clave_csrf: browser.cookie('clave_csrf')! }, payload: { _csrf: csrf, password: STRONG } });
      assert.equal(ended.statusCode, 303, 'no session: to Ingresar, as every page of Mi cuenta');
      assert.equal(ended.headers.location, '/ingresar');
    });
  });
}

for (const backend of backends()) {
  describe(`the new clave's checks per address and saves per flow on ${backend.name}`, () => {
    let clave: TestClave;
    const people = mailablePeople(8).slice(5);

    before(async () => {
      clave = await startTestClave(backend, { CAPTCHA_MAX_NUMBER: '1000', CLAVE_CHECKS_PER_IP: '3', CLAVE_SAVES_PER_SESSION: '2' });
      await loadDemoRegistry(clave);
      await checkerReady(clave);
    });
    after(async () => clave.dispose());

    /** A flow's id and its reset token as a bearer header, through the API. */
    async function resetFor(person: DemoAffiliate) {
      const flowId = await verifyIdentity(clave, person);
      const redeemed = await clave.web.inject({ method: 'POST', url: '/api/v1/tokens/redeem', payload: { token: await mailedToken(clave, person.affiliate.correo!) } });
      return { flowId, authorization: `Bearer ${redeemed.json().resetToken}` };
    }
    const send = (flow: { flowId: string; authorization: string }, path: string, payload: object, remoteAddress: string) =>
      clave.web.inject({ method: 'POST', url: `/api/v1/flows/${flow.flowId}/${path}`, payload, headers: { authorization: flow.authorization }, remoteAddress });

    test('many reset sessions from one address share CLAVE_CHECKS_PER_IP; another address is not held back', async () => {
      const [first, second] = [await resetFor(people[0]!), await resetFor(people[1]!)];
      for (const flow of [first, first, second]) assert.equal((await send(flow, 'password/check', { password: STRONG }, '203.0.113.7')).statusCode, 200);
      const over = await send(second, 'password/check', { password: STRONG }, '203.0.113.7');
      assert.equal(over.statusCode, 429, 'a fresh session from the same address');
      assert.equal(over.json().error.code, 'CLV-004');
      assert.equal((await send(second, 'password/check', { password: STRONG }, '198.51.100.20')).statusCode, 200);
    });

    test('a reset session saves at most CLAVE_SAVES_PER_SESSION times in the window: each may cost argon2id work', async () => {
      const flow = await resetFor(people[2]!);
      for (let i = 0; i < 2; i++) assert.equal((await send(flow, 'password', { password: STRONG, confirmation: 'otra' }, '192.0.2.1')).statusCode, 422);
      const over = await send(flow, 'password', { password: STRONG, confirmation: STRONG }, '192.0.2.1');
      assert.equal(over.statusCode, 429);
      assert.equal(over.json().error.code, 'CLV-004');
      assert.ok(Number(over.headers['retry-after']) > 0);
    });
  });
}
