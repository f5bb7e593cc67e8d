import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { backends } from '../support/backends.ts';
import { listenOnLoopback, startTestClave, type TestClave } from '../support/clave.ts';
import { axeViolations, browserUnavailable, describeViolations, launchBrowser, screenshotPath } from '../support/browser.ts';

const unavailable = browserUnavailable();

describe('the portal shell in a real browser', { skip: unavailable }, () => {
  let clave: TestClave;
  let browser: Browser;
  let base: string;
  before(async () => {
    clave = await startTestClave(backends()[0]!);
    base = await listenOnLoopback(clave);
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await clave?.dispose();
  });

  const pages = [
    { name: 'inicio', path: '/', heading: 'Gestione su clave personal', status: 200 },
    { name: 'inicio-en', path: '/?lang=en', heading: 'Manage your clave personal', status: 200 },
    { name: 'no-encontrada', path: '/no/existe', heading: 'No encontramos esta página', status: 404 },
    { name: 'buzon-desarrollo', path: '/dev/correo', heading: 'Correo de desarrollo', status: 200 },
  ];

  for (const { name, path, heading, status } of pages) {
    test(`${path} renders styled, without console errors, and passes axe-core at 360×800`, async () => {
      const context = await browser.newContext({ viewport: { width: 360, height: 800 } });
      const page = await context.newPage();
      const problems: string[] = [];
      page.on('console', (message) => {
        // Chromium reports the document's own 404 as a console error; anything else is a fault.
        if (message.type() === 'error' && !(status === 404 && message.location().url === base + path)) problems.push(message.text());
      });
      page.on('pageerror', (error) => problems.push(error.message));
      const response = await page.goto(base + path);
      assert.equal(response?.status(), status);
      assert.equal(await page.locator('h1').innerText(), heading);
      const font = await page.evaluate(() => getComputedStyle(document.querySelector('h1')!).fontFamily);
      assert.match(font, /system-ui/, 'the stylesheet loaded');
      assert.equal(await page.evaluate(() => document.body.classList.contains('js-enabled')), true, 'scripts run under the CSP');
      await page.screenshot({ path: screenshotPath(`shell-${name}`), fullPage: true });
      const violations = await axeViolations(page);
      assert.deepEqual(problems, []);
      assert.equal(violations.length, 0, describeViolations(violations));
      await context.close();
    });
  }

  test('without JavaScript the CAPTCHA step says why it is needed and how to turn it on, and asks no one to tick a box they cannot see', async () => {
    const context = await browser.newContext({ viewport: { width: 360, height: 800 }, javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(base + '/clave/recuperar');
    const text = await page.locator('main').innerText();
    assert.match(text, /Esta comprobación necesita JavaScript, una función de su navegador que ahora está desactivada\. Actívela/);
    assert.doesNotMatch(text, /Marque la casilla/);
    await context.close();
  });

  test('at 200% zoom (a 180-px-wide phone) no page scrolls sideways (WCAG 1.4.10)', async () => {
    const page = await browser.newPage({ viewport: { width: 180, height: 800 } });
    for (const path of ['/', '/clave/desbloquear', '/no/existe', '/ayuda/errores', '/ingresar']) {
      await page.goto(base + path);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      assert.ok(overflow <= 0, `${path} is ${overflow} px wider than the screen`);
    }
    // Running text breaks long words; a button's label does not ("Mostra|r").
    assert.equal(await page.evaluate(() => getComputedStyle(document.querySelector('.govuk-password-input__toggle')!).overflowWrap), 'normal');
    await page.close();
  });

  test('the language toggle and the skip link work from the keyboard', async () => {
    const page = await browser.newPage({ viewport: { width: 360, height: 800 } });
    await page.goto(base + '/');
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.textContent?.trim()), 'Saltar al contenido principal');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.textContent?.trim()), 'English');
    await Promise.all([page.waitForURL(`${base}/`), page.keyboard.press('Enter')]);
    assert.equal(await page.locator('html').getAttribute('lang'), 'en');
    // The switch leaves no "?lang=" in the history: Back goes to where the person was before, in the language chosen.
    await page.goto(base + '/ayuda/errores');
    assert.equal(await page.locator('html').getAttribute('lang'), 'en');
    await page.goBack();
    assert.equal(page.url(), `${base}/`);
    assert.equal(await page.locator('html').getAttribute('lang'), 'en');
    await page.goto(base + '/');
    assert.equal(await page.locator('html').getAttribute('lang'), 'en', 'the choice is remembered');
    await page.close();
  });
});
