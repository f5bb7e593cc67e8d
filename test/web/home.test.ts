import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { backends } from '../support/backends.ts';
import { listenOnLoopback, startTestClave, type TestClave } from '../support/clave.ts';
import { PageClient } from '../support/browserless.ts';
import { loadDemoRegistry, mailedToken, verifiedPeople, verifyIdentity } from '../support/journey.ts';

const [pglite] = backends();

describe('web shell', () => {
  let clave: TestClave;
  before(async () => {
    clave = await startTestClave(pglite!);
    clave.web.get('/prueba/falla', async () => {
      throw new Error('secreto interno: la base explotó en db.ts:42');
    });
  });
  after(async () => clave.dispose());

  test('the home page is Spanish and offers every journey', async () => {
    const response = await clave.web.inject({ method: 'GET', url: '/' });
    assert.equal(response.statusCode, 200);
    assert.match(response.headers['content-type'] as string, /text\/html; charset=utf-8/);
    const html = response.body;
    assert.match(html, /<html lang="es"/);
    assert.match(html, /<title>Gestione su clave personal – Clave personal – Instituto de Prueba<\/title>/);
    for (const href of ['/clave/generar', '/clave/recuperar', '/clave/desbloquear', '/ingresar', '/ayuda/errores']) {
      assert.ok(html.includes(`href="${href}"`), href);
    }
    assert.doesNotMatch(html, /GOV\.UK|govuk-header__logotype|crown/i);
    assert.doesNotMatch(html, /Agencias y horarios/, 'no agencies link without AGENCIES_URL');
  });

  test('English is one click away and the choice is remembered', async () => {
    const switched = await clave.web.inject({ method: 'GET', url: '/?lang=en' });
    const cookie = switched.cookies.find((c) => c.name === 'lang');
    assert.equal(cookie?.value, 'en');
    assert.equal(cookie?.httpOnly, true);
    assert.equal(cookie?.sameSite, 'Lax');
    // Shown at its own address: Back to a page seen before the switch does not switch again.
    assert.equal(switched.statusCode, 303);
    assert.equal(switched.headers.location, '/');
    const later = await clave.web.inject({ method: 'GET', url: '/', cookies: { lang: 'en' } });
    assert.match(later.body, /<html lang="en"/);
    assert.equal(later.headers.vary, 'Cookie', 'no shared cache serves one person\'s language to another');
    assert.match(later.body, /Manage your clave personal/);
    assert.match(later.body, /href="\/\?lang=es"/);
    const deep = await clave.web.inject({ method: 'GET', url: '/clave/continuar?token=abc&lang=es&x=1' });
    assert.equal(deep.headers.location, '/clave/continuar?token=abc&x=1', 'the rest of the address is kept');
    for (const url of ['//evil.example/?lang=en', '/.//evil.example?lang=en']) {
      const location = (await clave.web.inject({ method: 'GET', url })).headers.location;
      assert.ok(location?.startsWith('/') && !location.startsWith('//'), `${url}: never another host (${location})`);
    }
    const api = await clave.web.inject({ method: 'GET', url: '/api/v1/errors/CLV-001?lang=en' });
    assert.equal(api.statusCode, 200, 'the API is never redirected');
    const bogus = await clave.web.inject({ method: 'GET', url: '/?lang=<script>', cookies: { lang: 'xx' } });
    assert.match(bogus.body, /<html lang="es"/);
  });

  test('security headers: CSP without unsafe-inline, no framing, no HSTS over http', async () => {
    const response = await clave.web.inject({ method: 'GET', url: '/' });
    const csp = response.headers['content-security-policy'] as string;
    assert.match(csp, /default-src 'self'/);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.doesNotMatch(csp, /unsafe-inline/);
    assert.equal(response.headers['x-frame-options'], 'DENY');
    assert.equal(response.headers['x-content-type-options'], 'nosniff');
    assert.equal(response.headers['strict-transport-security'], undefined);
    assert.doesNotMatch(response.body, /<script>|<style|style="/, 'no inline script or style for the CSP to block');
  });

  test('a styled 404 in the chosen language', async () => {
    const response = await clave.web.inject({ method: 'GET', url: '/no/existe' });
    assert.equal(response.statusCode, 404);
    assert.match(response.body, /No encontramos esta página/);
    assert.match(response.body, /clave\.css/);
  });

  test('the 500 page shows a reference, never the error or a stack', async () => {
    const response = await clave.web.inject({ method: 'GET', url: '/prueba/falla' });
    assert.equal(response.statusCode, 500);
    assert.match(response.body, /Lo sentimos, hubo un problema con el servicio/);
    assert.doesNotMatch(response.body, /secreto interno|db\.ts|at .*\(/);
    assert.match(response.body, /[0-9a-f]{8}-[0-9a-f]{4}-/, 'request id as reference');
  });

  test('CORS stays closed: no other origin may call the API from a browser', async () => {
    const preflight = await clave.web.inject({ method: 'OPTIONS', url: '/api/v1/flows', headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' } });
    assert.equal(preflight.headers['access-control-allow-origin'], undefined);
    const simple = await clave.web.inject({ method: 'POST', url: '/api/v1/captcha', headers: { origin: 'https://evil.example' } });
    assert.equal(simple.headers['access-control-allow-origin'], undefined);
    assert.equal(simple.headers['access-control-allow-credentials'], undefined);
    const form = await clave.web.inject({ method: 'POST', url: '/api/v1/sessions', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'cedula=1710034065&password=x' });
    assert.equal(form.statusCode, 415, 'the API takes only JSON, so no cross-site form can reach it');
  });

  test('API clients get JSON errors', async () => {
    const response = await clave.web.inject({ method: 'GET', url: '/api/v1/nada' });
    assert.equal(response.statusCode, 404);
    assert.equal(response.json().error.code, 'not_found');
  });

  test('URLs the router refuses still get the institute page (with its headers) or the API shape', async () => {
    const page = await clave.web.inject('/%');
    assert.equal(page.statusCode, 400);
    assert.match(page.body, /No pudimos procesar su solicitud/);
    assert.match(page.headers['content-security-policy'] as string, /frame-ancestors 'none'/);
    assert.equal(page.headers['x-content-type-options'], 'nosniff');
    const api = await clave.web.inject(`/api/v1/errors/${'x'.repeat(300)}`);
    assert.ok(api.statusCode >= 400 && api.statusCode < 500);
    assert.equal(api.json().error.code, 'bad_request');
  });

  test('malformed requests are a clear 4xx, not a 500', async () => {
    const response = await clave.web.inject({ method: 'POST', url: '/', headers: { 'content-type': 'application/json' }, payload: '{"a":' });
    assert.ok(response.statusCode >= 400 && response.statusCode < 500, String(response.statusCode));
  });

  test('static assets are served with long-lived caching, and the stylesheet is rebranded', async () => {
    const home = await clave.web.inject({ method: 'GET', url: '/' });
    const href = /href="(\/assets\/build\/clave\.css\?v=[0-9a-f]+)"/.exec(home.body)?.[1];
    assert.ok(href);
    const css = await clave.web.inject({ method: 'GET', url: href });
    assert.equal(css.statusCode, 200);
    assert.match(css.headers['cache-control'] as string, /max-age=31536000, immutable/);
    assert.doesNotMatch(css.body, /GDS Transport/);
    assert.match(css.body, /system-ui/);
    const script = await clave.web.inject({ method: 'GET', url: '/assets/govuk/govuk-frontend.min.js' });
    assert.equal(script.statusCode, 200);
    const notAllowed = await clave.web.inject({ method: 'GET', url: '/assets/govuk/all.bundle.js' });
    assert.equal(notAllowed.statusCode, 404);
  });

  test('the scss source keeps GOV.UK branding out', () => {
    const scss = readFileSync(new URL('../../src/web/styles/clave.scss', import.meta.url), 'utf8');
    assert.match(scss, /\$govuk-include-default-font-face: false/);
  });
});

describe('web shell over https', () => {
  let clave: TestClave;
  before(async () => {
    clave = await startTestClave(pglite!, { PUBLIC_URL: 'https://clave.example', AGENCIES_URL: 'https://www.instituto.example/agencias?x=1&y=2' });
  });
  after(async () => clave.dispose());

  test('AGENCIES_URL: every page\'s footer links to the agencies (many answers end in "acuda a una agencia")', async () => {
    for (const url of ['/', '/ingresar', '/no/existe']) {
      const page = await clave.web.inject({ method: 'GET', url });
      assert.match(page.body, /<a class="govuk-footer__link" href="https:\/\/www\.instituto\.example\/agencias\?x=1&amp;y=2">Agencias y horarios de atención<\/a>/, url);
    }
  });

  test('HSTS is sent and cookies are Secure', async () => {
    const response = await clave.web.inject({ method: 'GET', url: '/?lang=en' });
    assert.match(response.headers['strict-transport-security'] as string, /max-age=31536000/);
    assert.equal(response.cookies.find((c) => c.name === 'lang')?.secure, true);
  });

  test('the session and reset cookies are Secure too', async () => {
    await loadDemoRegistry(clave);
    const [person] = verifiedPeople();
    const flowId = await verifyIdentity(clave, person!);
    const token = await mailedToken(clave, person!.affiliate.correo!);
    const browser = new PageClient(clave.web);
    await browser.get(`/clave/continuar?token=${token}`);
    const redeemed = await browser.submit(`/clave/continuar?token=${token}`, { token }, '/clave/continuar');
    assert.equal(redeemed.cookies.find((c) => c.name === 'clave_reset')?.secure, true, `flow ${flowId}`);
    await browser.submit('/clave/nueva', { password: 'luna-Clara-29-rio', confirmation: 'luna-Clara-29-rio' });
    const signedIn = await browser.submit('/ingresar', { cedula: person!.affiliate.cedula, clave: 'luna-Clara-29-rio' });
    assert.equal(signedIn.headers.location, '/cuenta');
    assert.equal(signedIn.cookies.find((c) => c.name === 'clave_sesion')?.secure, true);
  });

  test("the language switch stays on this site whatever the request line's path", async () => {
    const port = Number(new URL(await listenOnLoopback(clave)).port);
    // Raw, as a browser never sends it: clients that resolve dot segments drop the host.
    const rawGet = (path: string) =>
      new Promise<string>((resolve, reject) => {
        const socket = connect(port, '127.0.0.1', () => socket.write(`GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`));
        let answer = '';
        socket.on('data', (chunk) => (answer += chunk));
        socket.on('end', () => resolve(answer));
        socket.on('error', reject);
      });
    for (const path of ['/.//evil.example', '/a/..//evil.example', '/ayuda/errores/..//evil.example/x']) {
      const page = await rawGet(path);
      const href = /href="([^"]*lang=en)"/.exec(page)?.[1];
      assert.ok(href?.startsWith('/') && !href.startsWith('//'), `${path}: ${href}`);
    }
  });

  test('a URL the router refuses before any hook gets the same security headers as a page', async () => {
    const page = await clave.web.inject({ method: 'GET', url: '/' });
    for (const url of ['/%E0%A4%A', '/api/v1/%E0%A4%A']) {
      const refused = await clave.web.inject({ method: 'GET', url });
      assert.equal(refused.statusCode, 400, url);
      for (const name of ['content-security-policy', 'strict-transport-security', 'cross-origin-opener-policy', 'cross-origin-resource-policy', 'x-frame-options', 'x-content-type-options', 'referrer-policy']) {
        assert.equal(refused.headers[name], page.headers[name], `${url}: ${name}`);
      }
      assert.match(refused.headers['content-security-policy'] as string, /upgrade-insecure-requests/);
    }
  });
});
