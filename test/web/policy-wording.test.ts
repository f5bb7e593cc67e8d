import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backends } from '../support/backends.ts';
import { startTestClave, type TestClave } from '../support/clave.ts';
import { birthOf, correctAnswers, loadDemoRegistry, mailedToken, verifiedPeople } from '../support/journey.ts';
import { PageClient, visibleText } from '../support/browserless.ts';

// The clave rules the page states are the ones configured, not the defaults written into the copy.

const [person] = verifiedPeople();

/** A Clave with the given policy, and a browser on its new-clave page after a whole Recuperar. */
async function atNewClave(policy: Record<string, string>, use: (browser: PageClient) => Promise<void>): Promise<void> {
  const clave: TestClave = await startTestClave(backends()[0]!, { CAPTCHA_MAX_NUMBER: '1000', ...policy });
  try {
    await loadDemoRegistry(clave);
    const browser = new PageClient(clave.web);
    await browser.get('/clave/recuperar');
    const started = await browser.submit('/clave/recuperar', { cedula: person!.affiliate.cedula, altcha: await browser.captcha() });
    const identityUrl = started.headers.location as string;
    const { birthDay, birthMonth } = birthOf(person!);
    await browser.submit(identityUrl, { birthDay: String(birthDay), birthMonth: String(birthMonth), ...(await correctAnswers(clave, person!)) });
    const token = await mailedToken(clave, person!.affiliate.correo!);
    const continued = await browser.submit(`/clave/continuar?token=${token}`, { token }, '/clave/continuar');
    assert.equal(continued.headers.location, '/clave/nueva');
    await use(browser);
  } finally {
    await clave.dispose();
  }
}

test('the checklist and CLV-030/031 name PASSWORD_MIN_LENGTH and PASSWORD_CLASSES_BELOW', async () => {
  await atNewClave({ PASSWORD_CLASSES_BELOW: '12', PASSWORD_MIN_LENGTH: '9' }, async (browser) => {
    const page = (await browser.get('/clave/nueva')).body;
    assert.match(visibleText(page), /usa al menos 3 de estos 4: mayúsculas, minúsculas, números y símbolos \(no hace falta desde 12 caracteres\)/);
    // A change of state is read with its rule ("tiene al menos 9 caracteres (cumple)"), not as a bare "(cumple)".
    assert.match(page, /<li data-practice="length" aria-atomic="true">/);
    const short = await browser.submit('/clave/nueva', { password: 'abcdefgh', confirmation: 'abcdefgh' });
    assert.equal(short.statusCode, 422);
    assert.match(visibleText(short.body), /entre 9 y 128 caracteres/);
    // Kept from being accepted by a confirmation that differs: only CLV-035 may be told.
    const plain = await browser.submit('/clave/nueva', { password: 'tigrenubecalle', confirmation: 'tigrenubecallx' });
    assert.match(visibleText(plain.body), /CLV-035/);
    assert.doesNotMatch(visibleText(plain.body), /CLV-031/, '14 characters are past 12: one kind of character is enough');
    const uniform = await browser.submit('/clave/nueva', { password: 'tigrenubeca', confirmation: 'tigrenubeca' });
    assert.match(visibleText(uniform.body), /Con menos de 12 caracteres, use al menos 3 de/);
  });
});

test('with PASSWORD_CLASSES_BELOW=0 the checklist does not ask for a mix', async () => {
  await atNewClave({ PASSWORD_CLASSES_BELOW: '0' }, async (browser) => {
    const page = visibleText((await browser.get('/clave/nueva')).body);
    assert.match(page, /tiene al menos 8 caracteres/);
    assert.doesNotMatch(page, /al menos 3 de estos 4/);
  });
});
