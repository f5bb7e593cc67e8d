import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { backends } from '../support/backends.ts';
import { listenOnLoopback, startTestClave, type TestClave } from '../support/clave.ts';
import { byId, tabTo, type Focused } from '../support/keyboard.ts';
import { assertPageSound, axeViolations, browserUnavailable, describeViolations, launchBrowser, phone, screenshotPath } from '../support/browser.ts';
import { testClock, MINUTE } from '../support/clock.ts';
import { birthOf, giveClave, loadDemoRegistry, verifiedPeople } from '../support/journey.ts';

// Desbloquear clave in Chromium at 360×800: five wrong claves lock the account, the
// unlock link from the registered inbox opens it again, and the same clave still works.
// Driven with the keyboard, as a person without a mouse (or with a screen reader) would.

const CLAVE = 'rio-Azul-58-puente';
const WRONG = 'rio-Azul-58-puentes';

const byText = (tag: string, text: string) => (f: Focused) => f.tag === tag && f.text === text;

/** Tabs to a field and types into it. */
async function typeInto(page: Page, id: string, text: string): Promise<void> {
  await tabTo(page, `the field #${id}`, byId(id));
  await page.keyboard.type(text);
}

/** Presses Enter on what has focus and returns the HTTP status of the document that follows. */
async function enter(page: Page): Promise<number> {
  const [response] = await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
  return response?.status() ?? 0;
}

/** Tabs to a button or link by its text and presses Enter. */
async function activate(page: Page, tag: string, label: string): Promise<number> {
  await tabTo(page, `the ${tag} "${label}"`, byText(tag, label));
  return enter(page);
}

describe('Desbloquear clave in a real browser, keyboard first, at 360×800', { skip: browserUnavailable() }, () => {
  let clave: TestClave;
  let browser: Browser;
  let base: string;
  let shots = 0;
  const titles: string[] = [];
  const clock = testClock();
  before(async () => {
    clave = await startTestClave(backends()[0]!, { CAPTCHA_MAX_NUMBER: '5000' }, { clock: clock.now });
    await loadDemoRegistry(clave);
    base = await listenOnLoopback(clave);
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await clave?.dispose();
  });

  /** Every page: the expected heading, a numbered screenshot, no axe violations, no script errors. */
  async function checkPage(page: Page, problems: string[], name: string, heading: string): Promise<void> {
    const shot = `unlock-${String(++shots).padStart(2, '0')}-${name}`;
    assert.equal((await page.locator('h1').innerText()).trim(), heading, `${shot}: heading`);
    titles.push(await page.title());
    await page.screenshot({ path: screenshotPath(shot), fullPage: true });
    const violations = await axeViolations(page);
    assert.equal(violations.length, 0, `${shot}: ${describeViolations(violations)}`);
    assert.deepEqual(problems, [], `${shot}: console or page errors`);
  }

  /** The login form refused the clave with `code`: field error, summary, status and the cédula kept. */
  async function assertRefused(page: Page, status: number, expected: number, code: string, cedula: string): Promise<void> {
    assert.equal(status, expected, `${code} is answered with ${expected}`);
    assert.match(await page.title(), /^Error: Ingresar/);
    assert.match(await page.locator('.govuk-error-summary').innerText(), new RegExp(code));
    assert.match(await page.locator('#clave-error').innerText(), new RegExp(code));
    assert.equal(await page.inputValue('#cedula'), cedula, 'the cédula is kept');
    assert.equal(await page.inputValue('#clave'), '', 'the clave is never echoed back');
  }

  test('five wrong claves lock the account; the mailed link unlocks it and the same clave works', async () => {
    const person = verifiedPeople()[0]!;
    const { cedula, correo } = person.affiliate;
    await giveClave(clave, person, CLAVE);
    // Recovery mail to one cédula is spaced a minute apart: let Generar's link mail age.
    clock.advance(2 * MINUTE);
    const { birthDay, birthMonth } = birthOf(person);
    const { context, page, problems } = await phone(browser, [401, 422, 423]);

    // Ingresar: the first page, then four refusals (CLV-041) and the lock on the fifth (CLV-040).
    await page.goto(base + '/ingresar');
    await checkPage(page, problems, 'ingresar', 'Ingresar');
    await typeInto(page, 'cedula', cedula);
    for (let attempt = 1; attempt <= 4; attempt++) {
      await typeInto(page, 'clave', WRONG);
      await assertRefused(page, await enter(page), 401, 'CLV-041', cedula);
      await checkPage(page, problems, `clv-041-intento-${attempt}`, 'Ingresar');
    }
    // The fifth locks: a page of its own, whose ways out are Desbloquear and Recuperar.
    await typeInto(page, 'clave', WRONG);
    assert.equal(await enter(page), 423);
    await checkPage(page, problems, 'clv-040-bloqueada', 'Su cuenta está bloqueada');
    assert.match(await page.locator('main').innerText(), /Código CLV-040\. Después de 5 intentos fallidos seguidos/);
    assert.equal(await page.locator('main a.govuk-button[href="/clave/desbloquear"]').innerText(), 'Desbloquear clave');
    assert.equal(await page.locator('main a.govuk-button[href="/clave/recuperar"]').innerText(), 'Recuperar clave');
    // Those who never made a clave are locked alike (telling them apart would tell who has one): their way is Generar.
    assert.equal(await page.locator('main a[href="/clave/generar"]').innerText(), 'Generar clave');
    assert.match(await page.locator('main').innerText(), /Si nunca creó una clave personal, use Generar clave: desbloquear no le servirá\./);
    assert.equal(await page.locator('main form').count(), 0, 'no form inviting a try that cannot work');

    // The right clave is refused too while the account is locked.
    await page.goto(base + '/ingresar');
    await typeInto(page, 'cedula', cedula);
    await typeInto(page, 'clave', CLAVE);
    assert.equal(await enter(page), 423);
    await checkPage(page, problems, 'clv-040-clave-correcta', 'Su cuenta está bloqueada');

    // Desbloquear, step 1: cédula and the ALTCHA checkbox (Space), then Continuar.
    assert.equal(await activate(page, 'a', 'Desbloquear clave'), 200);
    assert.equal(new URL(page.url()).pathname, '/clave/desbloquear');
    await typeInto(page, 'cedula', cedula);
    await tabTo(page, 'the CAPTCHA checkbox', (f) => f.type === 'checkbox');
    await page.keyboard.press('Space');
    await page.waitForFunction(() => (document.querySelector<HTMLInputElement>('input[name="altcha"]')?.value ?? '') !== '', null, { timeout: 20_000 });
    await checkPage(page, problems, 'desbloquear', 'Desbloquear clave');
    assert.equal(await activate(page, 'button', 'Continuar'), 200);

    // Step 2: birth day and month only; unlocking asks no knowledge questions.
    await checkPage(page, problems, 'identidad', 'Confirme su identidad');
    assert.equal(await page.locator('input[type="radio"]').count(), 0, 'no knowledge questions to unlock');
    await typeInto(page, 'birthDay', String(birthDay));
    await typeInto(page, 'birthMonth', String(birthMonth));
    assert.equal(await activate(page, 'button', 'Enviar'), 200);

    // Step 3: the uniform answer; the unlock link lasts 3 minutes.
    await checkPage(page, problems, 'revise-su-correo', 'Revise su correo registrado');
    assert.equal(new URL(page.url()).searchParams.get('tipo'), 'desbloquear');
    const checkEmail = await page.locator('main').innerText();
    assert.match(checkEmail, /Si sus datos coinciden, le enviaremos a su correo registrado/);
    assert.match(checkEmail, /Si su cuenta se bloqueó con «No fui yo», recibirá en lugar del enlace un aviso/, 'the one case where no link comes, told');
    assert.match(checkEmail, /El enlace vale 3 minutos/);

    await clave.settle();
    const mail = clave.catcher!.list().find((m) => m.to.includes(correo!) && /continuar\?token=/.test(m.text));
    assert.ok(mail, `an unlock link was mailed to ${correo}`);
    assert.match(mail.subject, /desbloquear/);
    assert.match(mail.text, /3 minutos/);
    const link = new URL(/https?:\/\/\S+\/clave\/continuar\?token=[A-Za-z0-9_-]{43}/.exec(mail.text)![0]);
    assert.equal(link.origin, 'http://localhost:3000', 'links are built from PUBLIC_URL');
    await page.goto(base + link.pathname + link.search);
    await checkPage(page, problems, 'continuar', 'Continúe con su solicitud');
    assert.equal(await activate(page, 'button', 'Continuar'), 200);

    // Unlocked: the clave did not change; the page offers Ingresar and Recuperar clave.
    await checkPage(page, problems, 'desbloqueada', 'Su cuenta está desbloqueada');
    assert.match(await page.locator('main').innerText(), /Su clave no cambió/);
    assert.equal(await page.locator('main a[href="/ingresar"]').innerText(), 'Ingresar');
    assert.equal(await page.locator('main a[href="/clave/recuperar"]').innerText(), 'Recuperar clave');

    // Ingresar with the same clave as before: Mi cuenta, with the masked e-mail and this session.
    assert.equal(await activate(page, 'a', 'Ingresar'), 200);
    await checkPage(page, problems, 'ingresar-de-nuevo', 'Ingresar');
    await typeInto(page, 'cedula', cedula);
    await typeInto(page, 'clave', CLAVE);
    assert.equal(await enter(page), 200);
    assert.equal(new URL(page.url()).pathname, '/cuenta');
    await checkPage(page, problems, 'mi-cuenta', 'Mi cuenta');
    const [user, domain] = correo!.split('@');
    const email = await page.locator('.govuk-summary-list__value').first().innerText();
    assert.equal(email.trim(), `${user!.slice(0, 1)}***@${domain}`, 'the registered e-mail, masked');
    assert.ok(!email.includes(user!), 'the full address is not shown');
    assert.equal(await page.locator('.govuk-table .govuk-tag').innerText(), 'Esta sesión');

    // Cambiar mi clave: the live checklist of Recuperar's step 4; a wrong current clave and
    // a short new one are told at once, and what was typed as the new clave stays.
    assert.equal(await activate(page, 'a', 'Cambiar mi clave'), 200);
    await checkPage(page, problems, 'cambiar-clave', 'Cambiar mi clave');
    assert.doesNotMatch(await page.locator('.clave-checklist').innerText(), /cumple/, 'nothing typed, nothing judged');
    await typeInto(page, 'current', WRONG);
    await typeInto(page, 'password', 'corta');
    assert.match(await page.locator('[data-practice="length"]').innerText(), /no cumple todavía/);
    await typeInto(page, 'confirmation', 'corta');
    assert.equal(await enter(page), 422);
    await checkPage(page, problems, 'cambiar-clave-errores', 'Cambiar mi clave');
    assert.match(await page.title(), /^Error: Cambiar mi clave/);
    const problemsListed = await page.locator('.govuk-error-summary').innerText();
    assert.match(problemsListed, /CLV-041/);
    assert.match(problemsListed, /CLV-030/);
    assert.equal(await page.inputValue('#current'), '', 'the current clave is never echoed back');
    assert.equal(await page.inputValue('#password'), 'corta', 'the new clave is kept');
    await context.close();

    const [account] = await clave.db.query<{ status: string }>('SELECT status FROM accounts WHERE cedula = $1', [cedula]);
    assert.equal(account?.status, 'active');
  });

  test('the unlock link\'s countdown ends in a status message, read out, with the way to ask again', async () => {
    const { context, page, problems } = await phone(browser);
    await page.clock.install();
    const deadline = Math.floor(clock.now().getTime() / 1000) + 180;
    await page.goto(`${base}/clave/revise-su-correo?tipo=desbloquear&hasta=${deadline}`);
    const expired = page.locator('[role="status"] [data-countdown-expired]');
    assert.equal(await expired.isHidden(), true);
    await page.clock.fastForward('03:01');
    await expired.waitFor({ state: 'visible', timeout: 5_000 });
    // The person may have opened it in the mail app meanwhile: that case is not told it failed.
    assert.match(await expired.innerText(), /Si ya abrió el enlace, no tiene que hacer nada más\. Si no, el enlace ya caducó y puede pedir uno nuevo:/);
    assert.equal(await expired.locator('a').getAttribute('href'), '/clave/desbloquear');
    await assertPageSound(page, problems, 'unlock-revise-su-correo-caducado');
    await context.close();
  });

  // WCAG 2.4.2: the title names the page, so it is the first thing a screen reader says.
  test('every page of the journey has a plain-text title', () => {
    assert.ok(titles.length > 0, 'the journey ran');
    for (const title of titles) assert.match(title, /^(Error: )?[^<>]+ – Clave personal – Instituto de Prueba$/);
  });
});
