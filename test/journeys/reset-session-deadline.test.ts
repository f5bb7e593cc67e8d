import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { backends } from '../support/backends.ts';
import { startTestClave, type TestClave } from '../support/clave.ts';
import { testClock, MINUTE } from '../support/clock.ts';
import { loadDemoRegistry, mailedToken, verifiedPeople, verifyIdentity } from '../support/journey.ts';
import { csrfToken, PageClient, visibleText } from '../support/browserless.ts';
import type { DemoAffiliate } from '../../src/adapters/registry/demo-registry.ts';

const STRONG = 'lluvia-Verde-31-monte';
const OTHER = 'granizo-Azul-58-valle';
const wallClock = (date: Date) => new Intl.DateTimeFormat('es-EC', { timeZone: 'America/Guayaquil', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(date);

// Recuperar's step 4 lasts RESET_SESSION_TTL (10 min): the page says until when, and what
// comes after it (or after a second click of "Guardar clave") tells the person where they are.
for (const backend of backends()) {
  describe(`the new-clave page's deadline on ${backend.name}`, () => {
    let clave: TestClave;
    const clock = testClock();
    const [ana, berta, carla] = verifiedPeople();

    before(async () => {
      clave = await startTestClave(backend, { CAPTCHA_MAX_NUMBER: '1000' }, { clock: clock.now });
      await loadDemoRegistry(clave);
    });
    after(async () => clave.dispose());

    /** A browser holding the reset session of a verified flow of `kind`, opened now. */
    async function atNewClave(person: DemoAffiliate, kind: 'generate' | 'recover') {
      clock.advance(2 * MINUTE);
      await verifyIdentity(clave, person, kind);
      const token = await mailedToken(clave, person.affiliate.correo!);
      const browser = new PageClient(clave.web);
      const continued = await browser.submit(`/clave/continuar?token=${token}`, { token });
      assert.equal(continued.headers.location, '/clave/nueva');
      return { browser, continued, openedAt: clock.now() };
    }

    const signIn = (person: DemoAffiliate, password: string) =>
      clave.web.inject({ method: 'POST', url: '/api/v1/sessions', payload: { cedula: person.affiliate.cedula, password } });

    test('the page says until when the clave can be saved; after that, nothing is saved and starting again goes back to the same journey', async () => {
      const { browser, continued, openedAt } = await atNewClave(ana!, 'recover');
      const deadline = new Date(openedAt.getTime() + 10 * MINUTE);
      const form = await browser.get('/clave/nueva');
      assert.equal(form.statusCode, 200);
      assert.match(visibleText(form.body), new RegExp(`Tiene hasta las ${wallClock(deadline)} \\(hora de Ecuador\\) para guardar su nueva clave: 10 minutos desde que abrió el enlace\\. Después tendrá que pedir un enlace nuevo\\.`));
      assert.match(form.body, /data-session-deadline-seconds="600"/);
      assert.match(form.body, /data-session-ended hidden/, 'the "time is over" warning waits for the deadline');
      assert.match(form.body, /href="\/clave\/recuperar">Empezar de nuevo: Recuperar clave</);
      // The cookie outlives the session, so that a form sent late can still be answered in full.
      const cookie = continued.cookies.find((c) => c.name === 'clave_reset');
      assert.equal(cookie?.expires?.getTime(), Math.floor((deadline.getTime() + 30 * MINUTE) / 1000) * 1000);

      clock.advance(4 * MINUTE);
      const refused = await browser.submit('/clave/nueva', { password: 'corta', confirmation: 'corta' });
      assert.equal(refused.statusCode, 422);
      assert.match(refused.body, /data-session-deadline-seconds="360"/, 'a refused clave is told the time left too');
      assert.match(visibleText(refused.body), new RegExp(`Tiene hasta las ${wallClock(deadline)}`));

      clock.advance(6 * MINUTE + 1000);
      const late = await browser.submit('/clave/recuperar', { password: STRONG, confirmation: STRONG }, '/clave/nueva');
      assert.equal(late.statusCode, 410);
      assert.match(late.body, /CLV-050/);
      assert.match(visibleText(late.body), /En este proceso no se guardó ninguna clave nueva\./);
      assert.match(late.body, /href="\/clave\/recuperar">Empezar de nuevo: Recuperar clave</, 'back to Recuperar, not to the start page');
      assert.equal((await signIn(ana!, STRONG)).statusCode, 401, 'the clave sent late was not saved');
      const reopened = await browser.get('/clave/nueva');
      assert.equal(reopened.statusCode, 410);
      assert.match(reopened.body, /href="\/clave\/recuperar">Empezar de nuevo: Recuperar clave</);
      const meter = await browser.post('/clave/nueva/comprobar', { _csrf: csrfToken(form.body), password: STRONG });
      assert.equal(meter.statusCode, 410, 'the live meter is told too, and says so on the page');
    });

    test('Generar\'s late form starts Generar again', async () => {
      const { browser } = await atNewClave(berta!, 'generate');
      const form = await browser.get('/clave/nueva');
      assert.match(form.body, /href="\/clave\/generar">Empezar de nuevo: Generar clave</);
      clock.advance(11 * MINUTE);
      const late = await browser.post('/clave/nueva', { _csrf: csrfToken(form.body), password: STRONG, confirmation: STRONG });
      assert.equal(late.statusCode, 410);
      assert.match(late.body, /href="\/clave\/generar">Empezar de nuevo: Generar clave</);
      assert.match(visibleText(late.body), /En este proceso no se guardó ninguna clave nueva\./);
    });

    test('"Guardar clave" sent twice at once (a double click): one saves, the other says the clave was already saved, never "expired"', async () => {
      const { browser } = await atNewClave(carla!, 'recover');
      const form = csrfToken((await browser.get('/clave/nueva')).body);
      const answers = await Promise.all([STRONG, OTHER].map((password) => browser.post('/clave/nueva', { _csrf: form, password, confirmation: password })));
      const locations = answers.map((answer) => `${answer.statusCode} ${answer.headers.location}`).sort();
      assert.deepEqual(locations, ['303 /clave/lista', '303 /clave/lista?ya=1'], answers.map((a) => a.body).join('\n'));
      const loser = answers.find((answer) => answer.headers.location === '/clave/lista?ya=1')!;
      assert.match(loser.cookies.find((c) => c.name === 'clave_reset')?.value ?? '', /^lista\./, 'the browser that lost is marked done too');
      const saved = answers[0]!.headers.location === '/clave/lista' ? STRONG : OTHER;
      assert.equal((await signIn(carla!, saved)).statusCode, 201);
      assert.equal((await signIn(carla!, saved === STRONG ? OTHER : STRONG)).statusCode, 401);
      assert.doesNotMatch(visibleText((await browser.get('/clave/lista?ya=1')).body), /caduc/);
    });

    test('a form sent with the session of another browser\'s finished flow, but no "done" marker, is told the clave was already saved', async () => {
      const { browser } = await atNewClave(ana!, 'recover');
      const reset = browser.cookie('clave_reset')!;
      const form = csrfToken((await browser.get('/clave/nueva')).body);
      assert.equal((await browser.post('/clave/nueva', { _csrf: form, password: OTHER, confirmation: OTHER })).headers.location, '/clave/lista');
      // The same session from a copy of the cookie taken before it was marked done (a second tab restored by the phone).
      const copy = await clave.web.inject({ url: '/clave/nueva', cookies: { clave_reset: reset } });
      assert.equal(copy.statusCode, 303);
      assert.equal(copy.headers.location, '/clave/lista');
      // Its live meter is not told "time is over" (410) either: no verdict, and saving says where it stands.
      const meter = await clave.web.inject({
        method: 'POST',
        url: '/clave/nueva/comprobar',
        cookies: { clave_reset: reset, clave_csrf: browser.cookie('clave_csrf')! },
        payload: { _csrf: form, password: STRONG },
      });
      assert.equal(meter.statusCode, 303, meter.body.slice(0, 300));
      assert.equal((await browser.post('/clave/nueva/comprobar', { _csrf: form, password: STRONG })).statusCode, 303, 'nor is the browser that saved');
      // Anyone holding a flow id with a token that is not its own learns nothing of the flow.
      const forged = await clave.web.inject({ url: '/clave/nueva', cookies: { clave_reset: `${reset.split('.')[0]}.${'A'.repeat(43)}` } });
      assert.equal(forged.statusCode, 410);
      assert.doesNotMatch(visibleText(forged.body), /no se guardó/);
    });
  });
}
