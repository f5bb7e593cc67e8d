import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { backends } from '../support/backends.ts';
import { startTestClave, type TestClave } from '../support/clave.ts';
import { ERROR_CODES } from '../../src/domain/errors.ts';

describe('¿Qué significa este error? (/ayuda/errores and the API)', () => {
  let clave: TestClave;
  before(async () => {
    clave = await startTestClave(backends()[0]!);
  });
  after(async () => clave.dispose());

  const firstCode = (html: string) => /<h3 class="govuk-summary-card__title" id="(CLV-\d{3})"/.exec(html)?.[1];

  test('a code or the words people use find the right entry', async () => {
    const cases: [string, string][] = [['CLV-020', 'CLV-020'], ['clv 10', 'CLV-010'], ['no me llega el correo', 'CLV-012'], ['cuenta bloqueada', 'CLV-040'], ['the link expired', 'CLV-020']];
    for (const [query, code] of cases) {
      const page = await clave.web.inject(`/ayuda/errores?q=${encodeURIComponent(query)}`);
      assert.equal(page.statusCode, 200);
      assert.equal(firstCode(page.body), code, query);
    }
  });

  test('without a query every code is listed; hostile queries are escaped', async () => {
    const all = await clave.web.inject('/ayuda/errores');
    for (const code of ERROR_CODES) assert.ok(all.body.includes(`id="${code}"`), code);
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
});
