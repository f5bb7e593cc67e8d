import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { csvRows } from '../../src/adapters/registry/csv-rows.ts';
import { importAffiliates } from '../../src/services/registry-import.ts';
import { backends } from '../support/backends.ts';
import { PageClient } from '../support/browserless.ts';
import { startTestClave, type TestClave } from '../support/clave.ts';
import { testClock, MINUTE } from '../support/clock.ts';
import { apiCaptcha, birthOf, giveClave, loadDemoRegistry, mailedToken, verifiedPeople } from '../support/journey.ts';

const CLAVE = 'mar-Calmo-64-lancha';

/**
 * §2.5: security notices go to every registered channel. The registry may hold an
 * affiliate with a clave and only a phone (an import with an empty correo): they are
 * still told, by SMS, when their clave changes and when their account is locked or unlocked.
 */
describe('an affiliate with a clave and only a phone on file is told by SMS', () => {
  let clave: TestClave;
  const clock = testClock();
  const person = verifiedPeople().find((p) => p.affiliate.celular)!;
  const { cedula, correo, celular } = person.affiliate;
  const smsSaying = (pattern: RegExp) => clave.catcher!.list().filter((m) => m.from === 'SMS' && m.to[0]!.endsWith(celular!.slice(-9)) && pattern.test(m.text));
  const registerCorreo = async (address: string) => {
    const { nombres, apellidos, fechaNacimiento } = person.affiliate;
    const csv = `cedula,nombres,apellidos,fecha_nacimiento,correo,celular,datos_verificados\n${cedula},${nombres},${apellidos},${fechaNacimiento},${address},${celular},si\n`;
    const report = await importAffiliates(clave.registry, csvRows(Readable.from([csv])), { today: clock.now().toISOString().slice(0, 10) });
    assert.equal(report.rejected, 0);
  };

  before(async () => {
    clave = await startTestClave(backends()[0]!, { CAPTCHA_MAX_NUMBER: '1000' }, { clock: clock.now });
    await loadDemoRegistry(clave);
    await giveClave(clave, person, CLAVE);
    await registerCorreo('');
    await clave.settle();
  });
  after(async () => clave.dispose());

  test('clave changed in Mi cuenta', async () => {
    const before = smsSaying(/fue cambiada/).length;
    const browser = new PageClient(clave.web);
    assert.equal((await browser.submit('/ingresar', { cedula, clave: CLAVE })).headers.location, '/cuenta');
    const changed = await browser.submit('/cuenta/clave', { current: CLAVE, password: 'nueva-Frase-77-larga', confirmation: 'nueva-Frase-77-larga' });
    assert.equal(changed.headers.location, '/cuenta?hecho=clave');
    await clave.settle();
    assert.equal(smsSaying(/fue cambiada/).length, before + 1);
  });

  test('account locked by wrong claves', async () => {
    for (let attempt = 1; attempt <= 5; attempt++) await clave.web.inject({ method: 'POST', url: '/api/v1/sessions', payload: { cedula, password: `mala-${attempt}` } });
    await clave.settle();
    assert.equal(smsSaying(/CLV-040/).length, 1);
  });

  test('account unlocked by a link mailed before the correo was removed', async () => {
    clock.advance(2 * MINUTE);
    await registerCorreo(correo!);
    const post = (url: string, payload: object) => clave.web.inject({ method: 'POST', url, payload });
    const started = await post('/api/v1/flows', { kind: 'unlock', cedula, captcha: await apiCaptcha(clave) });
    await post(`/api/v1/flows/${started.json().flowId}/identity`, { ...birthOf(person), answers: {} });
    const token = await mailedToken(clave, correo!);
    await registerCorreo('');
    assert.equal((await post('/api/v1/tokens/redeem', { token })).json().step, 'unlocked');
    await clave.settle();
    assert.equal(smsSaying(/fue desbloqueada/).length, 1);
  });
});
