import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { backends } from '../support/backends.ts';
import { startTestClave, type TestClave } from '../support/clave.ts';
import { ERROR_CODES } from '../../src/domain/errors.ts';

describe('¿Qué significa este error? (/ayuda/errores and the API)', () => {
  let clave: TestClave;
  before(async () => {
    clave = await startTestClave(backends()[0]!, { PASSWORD_CLASSES_BELOW: '12', PASSWORD_HISTORY: '3' });
  });
  after(async () => clave.dispose());

  const firstCode = (html: string) => /<h3 class="govuk-summary-card__title" id="(CLV-\d{3})"/.exec(html)?.[1];

  test('a code or the words people use find the right entry', async () => {
    const cases: [string, string][] = [['CLV-020', 'CLV-020'], ['clv 10', 'CLV-010'], ['no me llega el correo', 'CLV-012'], ['cuenta bloqueada', 'CLV-040'], ['the link expired', 'CLV-020'], ['javascript desactivado', 'CLV-002']];
    for (const [query, code] of cases) {
      const page = await clave.web.inject(`/ayuda/errores?q=${encodeURIComponent(query)}`);
      assert.equal(page.statusCode, 200);
      assert.equal(firstCode(page.body), code, query);
    }
  });

  test('nothing found ("me sale error"): the journeys and every code, as links, so the person can go on', async () => {
    const page = await clave.web.inject(`/ayuda/errores?q=${encodeURIComponent('me sale error')}`);
    assert.equal(page.statusCode, 200);
    assert.equal(firstCode(page.body), undefined);
    assert.match(page.body, /No encontramos nada parecido/);
    assert.match(page.body, /<a class="govuk-link" href="\/clave\/recuperar">Recuperar clave<\/a>: Si olvidó su clave\./);
    for (const path of ['generar', 'desbloquear']) assert.match(page.body, new RegExp(`href="/clave/${path}"`));
    for (const code of ERROR_CODES) assert.match(page.body, new RegExp(`<a class="govuk-link" href="/ayuda/errores\\?q=${code}">${code} · `), code);
    const found = await clave.web.inject('/ayuda/errores?q=CLV-041');
    assert.doesNotMatch(found.body, /Lo que puede hacer aquí/, 'only when nothing was found');
  });

  test('the journeys an entry tells people to use are links to them, in either language', async () => {
    const card = (html: string) => /<h3 class="govuk-summary-card__title" id="CLV-040"[\s\S]*?<\/div>\s*<\/div>\s*<\/div>/.exec(html)?.[0] ?? '';
    const es = card((await clave.web.inject('/ayuda/errores?q=CLV-040')).body);
    assert.match(es, /use <a class="govuk-link" href="\/clave\/desbloquear">Desbloquear clave<\/a>/);
    assert.match(es, /use <a class="govuk-link" href="\/clave\/recuperar">Recuperar clave<\/a> y cree una nueva/);
    const en = card((await clave.web.inject({ url: '/ayuda/errores?q=CLV-040', cookies: { lang: 'en' } })).body);
    assert.match(en, /use <a class="govuk-link" href="\/clave\/desbloquear">Unlock your clave<\/a>/);
  });

  test('without a query every code is listed by its title, one tap from its entry, with the journeys; hostile queries are escaped', async () => {
    const all = await clave.web.inject('/ayuda/errores');
    for (const code of ERROR_CODES) assert.match(all.body, new RegExp(`<li id="${code}"><a class="govuk-link" href="/ayuda/errores\\?q=${code}">${code} · `), code);
    assert.doesNotMatch(all.body, /govuk-summary-card/, 'a short page on a phone: no card until one is asked for');
    assert.match(all.body, /href="\/clave\/recuperar">Recuperar clave<\/a>/);
    const hostile = await clave.web.inject(`/ayuda/errores?q=${encodeURIComponent('<script>alert(1)</script>')}`);
    assert.equal(hostile.statusCode, 200);
    assert.doesNotMatch(hostile.body, /<script>alert/);
  });

  test('GET /api/v1/errors/{code} and ?q= answer from the same catalogue', async () => {
    const entry = await clave.web.inject({ url: '/api/v1/errors/clv-041', headers: { 'accept-language': 'en-GB,en' } });
    assert.equal(entry.json().code, 'CLV-041');
    assert.match(entry.json().title, /[A-Za-z]/);
    assert.equal((await clave.web.inject('/api/v1/errors/CLV-999')).statusCode, 404);
    const search = await clave.web.inject(`/api/v1/errors?q=${encodeURIComponent('captcha no funciona')}`);
    assert.equal(search.json().entries[0].code, 'CLV-002');
  });

  test('an API entry names the policy as configured and never shows a figure it does not know', async () => {
    assert.equal((await clave.web.inject('/api/v1/errors/CLV-031')).json().detail, 'Esta regla se aplica a claves de menos de 12 caracteres.');
    assert.equal((await clave.web.inject('/api/v1/errors/CLV-034')).json().detail, 'No puede repetir su clave actual ni sus últimas 3 claves.');
    assert.equal((await clave.web.inject('/api/v1/errors/CLV-030')).json().detail, 'Debe tener entre 8 y 128 caracteres.');
    // Attempts left and a link's minutes belong to one person's case, not to the catalogue.
    assert.equal('detail' in (await clave.web.inject('/api/v1/errors/CLV-010')).json(), false);
    for (const code of ERROR_CODES) {
      for (const language of ['es', 'en']) {
        const entry = await clave.web.inject({ url: `/api/v1/errors/${code}`, headers: { 'accept-language': language } });
        assert.doesNotMatch(entry.body, /\{\w+\}/, `${code} (${language})`);
      }
    }
    const search = await clave.web.inject(`/api/v1/errors?q=${encodeURIComponent('clave')}`);
    assert.doesNotMatch(search.body, /\{\w+\}/);
  });
});
