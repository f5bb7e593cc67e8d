import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { csrfToken, PageClient } from '../support/browserless.ts';
import { RAW_MARKUP, STRONG } from '../support/hostile-generate.ts';
import { useHostileClave, xss, xssCedula, xssPerson } from '../support/hostile.ts';
import { birthOf, giveClave } from '../support/journey.ts';

/**
 * Hostile input, registry side: a person whose name, surname and employers are markup
 * (and a device name that is markup too). Wherever that data lands (the pages of the
 * journey, every e-mail, the development mailbox, Mi cuenta) it is shown escaped.
 * The storm of generated requests is in hostile-input-storm.test.ts.
 */

describe('registry markup: hostile input on every route', { timeout: 300_000 }, () => {
  const app = useHostileClave();

  test('markup in registry data is shown escaped on pages and in every e-mail', async () => {
    const { clave } = app;
    const escapedName = '&lt;script&gt;alert(1)&lt;/script&gt;';
    const assertNoRawMarkup = (where: string, html: string) => {
      for (const canary of RAW_MARKUP) assert.ok(!html.includes(canary), `${where} shows raw markup ${canary}:\n${html.slice(Math.max(0, html.indexOf(canary) - 200), html.indexOf(canary) + 200)}`);
    };
    const browser = new PageClient(clave.web);

    // Step 1 and 2 in the pages: the identity page lists this person's employers.
    const start = await browser.submit('/clave/generar', { cedula: xssCedula, altcha: await browser.captcha() });
    assert.equal(start.statusCode, 303, start.body);
    const identityUrl = String(start.headers.location);
    const identity = await browser.get(identityUrl);
    assert.equal(identity.statusCode, 200);
    assertNoRawMarkup('the identity page', identity.body);
    // Employer names offered as answers come from the registry too: escaped if shown at all.
    if (identity.body.includes('alert(2)')) assert.ok(identity.body.includes('&lt;script&gt;alert(2)&lt;/script&gt;'));

    // Wrong birth date: the failure notice (CLV-010) goes to the registered inbox.
    const wrongDay = birthOf(xssPerson).birthDay === 1 ? '2' : '1';
    const form = Object.fromEntries([...identity.body.matchAll(/name="(q[^"]*)"[^>]*value="([^"]+)"/g)].map((m) => [m[1]!, m[2]!]));
    const refused = await browser.post(identityUrl, { _csrf: csrfToken(identity.body), birthDay: wrongDay, birthMonth: '3', ...form });
    assert.equal(refused.statusCode, 303, refused.body.slice(0, 500));
    await clave.settle();
    const notice = clave.catcher!.list().find((mail) => mail.to.includes(xssPerson.affiliate.correo!));
    assert.ok(notice, 'a failure notice was mailed');

    // The whole journey again, right this time, through the API: a link, then the new clave and its notice.
    await giveClave(clave, xssPerson, STRONG);
    await clave.settle();
    const mails = clave.catcher!.list().filter((mail) => mail.to.includes(xssPerson.affiliate.correo!));
    assert.ok(mails.length >= 3, `notice, link and change notice mailed (got ${mails.length})`);
    for (const mail of mails) {
      assert.ok(mail.html, `${mail.subject} has an HTML part`);
      assert.ok(mail.html.includes(escapedName), `${mail.subject}: the name is shown escaped`);
      assertNoRawMarkup(`the mail "${mail.subject}"`, mail.html);
      assert.ok(!mail.html.includes('<script'), `${mail.subject} carries no script tag`);

      // The development mailbox shows it escaped too.
      const listed = await clave.web.inject({ method: 'GET', url: '/dev/correo' });
      assertNoRawMarkup('/dev/correo', listed.body);
      const page = await clave.web.inject({ method: 'GET', url: `/dev/correo/${mail.id}` });
      assert.equal(page.statusCode, 200);
      assertNoRawMarkup(`/dev/correo/${mail.id}`, page.body);
      assert.ok(page.body.includes(escapedName), '/dev/correo/:id shows the name escaped');
      const html = await clave.web.inject({ method: 'GET', url: `/dev/correo/${mail.id}/html` });
      assert.equal(html.statusCode, 200);
      assert.match(String(html.headers['content-security-policy']), /sandbox/);
      assertNoRawMarkup(`/dev/correo/${mail.id}/html`, html.body);
      assert.ok(html.body.includes(escapedName));
    }

    // Mi cuenta: the first name, and a session whose device name is markup.
    const apiLogin = await clave.web.inject({ method: 'POST', url: '/api/v1/sessions', payload: { cedula: xssCedula, password: STRONG }, headers: { 'user-agent': xss.agent } });
    assert.equal(apiLogin.statusCode, 201, apiLogin.body);
    const signedIn = await browser.submit('/ingresar', { cedula: xssCedula, clave: STRONG });
    assert.equal(signedIn.statusCode, 303, signedIn.body.slice(0, 300));
    const account = await browser.get('/cuenta');
    assert.equal(account.statusCode, 200);
    assertNoRawMarkup('/cuenta', account.body);
    assert.ok(account.body.includes(escapedName), '/cuenta greets with the name escaped');
    assert.ok(!account.body.includes('alert(4)'), '/cuenta never quotes the marked-up User-Agent, escaped or not');
    assert.ok(account.body.includes('Navegador desconocido'), '/cuenta lists that session as an unknown browser');
  });
});
