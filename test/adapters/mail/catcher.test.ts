import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { backends } from '../../support/backends.ts';
import { startTestClave, type TestClave } from '../../support/clave.ts';
import { startMailCatcher } from '../../../src/adapters/mail/catcher.ts';

const [pglite] = backends();

describe('built-in mail catcher and /dev/correo', () => {
  let clave: TestClave;
  before(async () => {
    clave = await startTestClave(pglite!);
  });
  after(async () => clave.dispose());

  test('mail sent through the SMTP transport shows up in the mailbox, newest first', async () => {
    await clave.mail.send({ to: 'ana@correo.example', subject: 'Primero', text: 'uno', html: '<p>uno</p>' });
    await clave.mail.send({ to: 'ana@correo.example', subject: 'Segundo <b>', text: 'dos\nhttp://localhost/x', html: '<p>dos</p><script>alert(1)</script>' });
    const list = await clave.web.inject('/dev/correo');
    assert.equal(list.statusCode, 200);
    assert.equal(list.headers['cache-control'], 'no-store');
    assert.ok(list.body.indexOf('Segundo &lt;b&gt;') < list.body.indexOf('Primero'), 'newest first, subject escaped');
    const [newest] = clave.catcher!.list();
    assert.equal(newest?.subject, 'Segundo <b>');
    assert.match(newest?.messageId ?? '', /^<.+>$/);

    const view = await clave.web.inject(`/dev/correo/${newest!.id}`);
    assert.equal(view.statusCode, 200);
    assert.match(view.body, /ana@correo\.example/);
    assert.match(view.body, /dos/);
    const received = `<time datetime="${newest!.receivedAt.toISOString()}">`;
    const shownAs = (body: string) => new RegExp(`${received}([^<]+)</time>`).exec(body)?.[1];
    assert.ok(shownAs(list.body), 'the list shows when it arrived');
    assert.equal(shownAs(view.body), shownAs(list.body), 'the message shows the time as the list does, in local time');

    await clave.mail.send({ to: 'ana@correo.example', subject: 'Enlaces', text: 'Abra http://localhost:3000/clave/continuar?token=abc y no https://phish.example/x', html: '<p>x</p>' });
    const links = await clave.web.inject(`/dev/correo/${clave.catcher!.list()[0]!.id}`);
    assert.match(links.body, /<a class="govuk-link" href="http:\/\/localhost:3000\/clave\/continuar\?token=abc">/, 'links to the portal are clickable');
    assert.doesNotMatch(links.body, /href="https:\/\/phish/, 'other links are not');

    const html = await clave.web.inject(`/dev/correo/${newest!.id}/html`);
    assert.equal(html.statusCode, 200);
    assert.match(html.headers['content-security-policy'] as string, /^sandbox; default-src 'none'/);
    assert.equal((await clave.web.inject('/dev/correo/no-existe')).statusCode, 404);
  });
});

describe('the catcher is never mounted with a real SMTP server or in production', () => {
  test('with SMTP_URL set, /dev/correo does not exist and mail goes to that server', async () => {
    const external = await startMailCatcher();
    const clave = await startTestClave(pglite!, { SMTP_URL: external.url });
    try {
      assert.equal(clave.catcher, undefined);
      assert.equal((await clave.web.inject('/dev/correo')).statusCode, 404);
      await clave.mail.send({ to: 'x@correo.example', subject: 'Por SMTP real', text: 't', html: '<p>t</p>' });
      assert.equal((await external.waitFor((mail) => mail.subject === 'Por SMTP real')).to[0], 'x@correo.example');
    } finally {
      await clave.dispose();
      await external.close();
    }
  });

  test('in production, /dev/correo does not exist', async () => {
    const external = await startMailCatcher();
    const clave = await startTestClave(pglite!, { NODE_ENV: 'production', SECRET_KEY: 's'.repeat(40), PUBLIC_URL: 'https://clave.example', SMTP_URL: external.url });
    try {
      assert.equal((await clave.web.inject('/dev/correo')).statusCode, 404);
    } finally {
      await clave.dispose();
      await external.close();
    }
  });
});
