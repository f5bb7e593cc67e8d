import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { backends } from '../support/backends.ts';
import { startTestClave, type TestClave } from '../support/clave.ts';
import { testClock, MINUTE } from '../support/clock.ts';
import { apiCaptcha, birthOf, loadDemoRegistry, mailablePeople, mailedToken } from '../support/journey.ts';
import { PageClient, visibleText } from '../support/browserless.ts';

// Someone who never made a clave can still be "locked" (failures count for every cédula)
// and use Desbloquear: the answer must lead them to Generar, not to a sign-in that cannot work.
for (const backend of backends()) {
  describe(`Desbloquear for someone with no clave yet, on ${backend.name}`, () => {
    let clave: TestClave;
    const clock = testClock();
    const person = mailablePeople(15)[14]!;

    before(async () => {
      clave = await startTestClave(backend, { CAPTCHA_MAX_NUMBER: '1000' }, { clock: clock.now });
      await loadDemoRegistry(clave);
    });
    after(async () => clave.dispose());

    const post = (url: string, payload: object) => clave.web.inject({ method: 'POST', url, payload });

    async function unlockLink(): Promise<string> {
      clock.advance(2 * MINUTE);
      const started = await post('/api/v1/flows', { kind: 'unlock', cedula: person.affiliate.cedula, captcha: await apiCaptcha(clave) });
      assert.equal((await post(`/api/v1/flows/${started.json().flowId}/identity`, { ...birthOf(person), answers: {} })).statusCode, 202);
      return mailedToken(clave, person.affiliate.correo!);
    }

    test('its identity page asks for the birth date alone, in words that fit (no questions to "answer the same")', async () => {
      const browser = new PageClient(clave.web);
      await browser.get('/clave/desbloquear');
      const started = await browser.submit('/clave/desbloquear', { cedula: person.affiliate.cedula, altcha: await browser.captcha() });
      const page = visibleText((await browser.get(started.headers.location as string)).body);
      assert.match(page, /Escriba su día y mes de nacimiento tal como están registrados en el Instituto/);
      assert.doesNotMatch(page, /Las respuestas no cambian/);
    });

    test('the API says there is no clave, the page and the notice send them to Generar clave', async () => {
      for (let attempt = 1; attempt <= 5; attempt++) await post('/api/v1/sessions', { cedula: person.affiliate.cedula, clave: `no-tengo-clave-${attempt}` });
      assert.equal((await post('/api/v1/sessions', { cedula: person.affiliate.cedula, clave: 'no-tengo-clave-6' })).json().error.code, 'CLV-040');

      const redeemed = await post('/api/v1/tokens/redeem', { token: await unlockLink() });
      assert.deepEqual(redeemed.json(), { flowId: redeemed.json().flowId, step: 'unlocked', hasClave: false });
      await clave.settle();
      const notice = clave.catcher!.list().find((mail) => mail.to.includes(person.affiliate.correo!) && /desbloqueada/.test(mail.subject))!;
      assert.match(notice.text, /Todavía no tiene clave personal\. Para ingresar, créela primero en http:\/\/[^/]+\/clave\/generar/);
      assert.doesNotMatch(notice.text, /Su clave no cambió|Ya puede ingresar/);

      const browser = new PageClient(clave.web);
      const token = await unlockLink();
      await browser.get(`/clave/continuar?token=${token}`);
      const unlocked = await browser.submit(`/clave/continuar?token=${token}`, { token }, '/clave/continuar');
      // Its own page, so a reload shows it again instead of sending the spent link (CLV-021).
      assert.equal(unlocked.headers.location, '/clave/desbloqueada');
      const page = await browser.get(unlocked.headers.location!);
      assert.equal((await browser.get(unlocked.headers.location!)).body, page.body, 'reloaded: the same page');
      assert.equal((await new PageClient(clave.web).get('/clave/desbloqueada')).headers.location, '/', 'no confirmation for a browser that unlocked nothing');
      // The mailed link opened again (or Back to it) by this browser: where it got to, not "used".
      assert.equal((await browser.get(`/clave/continuar?token=${token}`)).headers.location, '/clave/desbloqueada');
      const elsewhere = await new PageClient(clave.web).get(`/clave/continuar?token=${token}`);
      assert.match(visibleText(elsewhere.body), /CLV-021/, 'any other browser is told the link was used');
      assert.match(visibleText(page.body), /Todavía no tiene clave personal/);
      assert.match(page.body, /href="\/clave\/generar"/);
      assert.doesNotMatch(visibleText(page.body), /Ya puede ingresar con ella/);
    });
  });
}
