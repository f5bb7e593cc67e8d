import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { backends } from '../support/backends.ts';
import { startTestClave, type TestClave } from '../support/clave.ts';
import { giveClave, loadDemoRegistry, verifiedPeople } from '../support/journey.ts';
import { PageClient, visibleText } from '../support/browserless.ts';

const CLAVE = 'rio-Azul-58-puente';
const NEW_CLAVE = 'nube-Lenta-64-cerro';

// Mi cuenta's change form never sends the current clave back, so after any refusal it comes
// back blank. Sending it blank again is a field to fill in, not a wrong clave towards the lock.
for (const backend of backends()) {
  describe(`Mi cuenta's change form on ${backend.name}`, () => {
    let clave: TestClave;
    const [ana] = verifiedPeople();

    before(async () => {
      clave = await startTestClave(backend);
      await loadDemoRegistry(clave);
      await giveClave(clave, ana!, CLAVE);
    });
    after(async () => clave.dispose());

    test('a blank current clave is asked for, never counted: more blanks than LOGIN_MAX_FAILURES lock nothing', async () => {
      const browser = new PageClient(clave.web);
      assert.equal((await browser.submit('/ingresar', { cedula: ana!.affiliate.cedula, clave: CLAVE })).headers.location, '/cuenta');

      // The current clave right, the new one too weak: the form comes back, and says why the current field is empty.
      const weak = await browser.submit('/cuenta/clave', { current: CLAVE, password: 'corta', confirmation: 'corta' });
      assert.equal(weak.statusCode, 422);
      assert.match(visibleText(weak.body), /Clave actual Por seguridad no se muestra de nuevo: vuelva a escribirla\. Después de 5 intentos/);

      for (let attempt = 1; attempt <= 6; attempt++) {
        const blank = await browser.submit('/cuenta/clave', { current: '', password: NEW_CLAVE, confirmation: NEW_CLAVE });
        assert.equal(blank.statusCode, 422, `blank ${attempt}`);
        const summary = [...blank.body.matchAll(/<a href="#(\w+)">([^<]*)<\/a>/g)].map((m) => `${m[1]}: ${m[2]!.trim()}`);
        assert.deepEqual(summary, ['current: Escriba su clave actual'], `blank ${attempt}: nothing else to say about a good new clave`);
        assert.doesNotMatch(blank.body, /CLV-041|Le quedan?/, 'not "wrong", no tries counted');
      }
      // Blank and a weak new clave: both told, but only the rules that need no proof of the current clave.
      const both = await browser.submit('/cuenta/clave', { password: 'corta', confirmation: 'otra' });
      const fields = [...both.body.matchAll(/<a href="#(\w+)">/g)].map((m) => m[1]);
      assert.deepEqual(fields, ['current', 'password', 'password', 'confirmation']);

      const changed = await browser.submit('/cuenta/clave', { current: CLAVE, password: NEW_CLAVE, confirmation: NEW_CLAVE });
      assert.equal(changed.headers.location, '/cuenta?hecho=clave', 'still signed in, account not locked');
      const [account] = await clave.db.query<{ status: string }>('SELECT status FROM accounts WHERE cedula = $1', [ana!.affiliate.cedula]);
      assert.equal(account?.status, 'active');
    });
  });
}
