import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { backends } from '../support/backends.ts';
import { startTestClave, type TestClave } from '../support/clave.ts';
import { testClock, MINUTE } from '../support/clock.ts';
import { birthOf, correctAnswers, giveClave, loadDemoRegistry, mailedToken, UNKNOWN_CEDULA, verifiedPeople, verifyIdentity } from '../support/journey.ts';
import { csrfToken, PageClient, visibleText } from '../support/browserless.ts';

const STRONG = 'lluvia-Verde-31-monte';

for (const backend of backends()) {
  describe(`Generar and Recuperar through the pages on ${backend.name}`, () => {
    let clave: TestClave;
    const clock = testClock();
    const [ana, berta] = verifiedPeople();

    before(async () => {
      clave = await startTestClave(backend, { CAPTCHA_MAX_NUMBER: '1000' }, { clock: clock.now });
      await loadDemoRegistry(clave);
    });
    after(async () => clave.dispose());

    async function startAndVerify(browser: PageClient, path: string, cedula: string) {
      const started = await browser.submit(path, { cedula, altcha: await browser.captcha() });
      assert.equal(started.statusCode, 303, started.body);
      return started.headers.location as string;
    }

    test('Recuperar end to end: every step, the mailed link, the new clave, the notice', async () => {
      const browser = new PageClient(clave.web);
      const start = await browser.get('/clave/recuperar');
      assert.match(start.body, /Paso 1 de 4/);
      assert.equal(start.headers['cache-control'], 'no-store');
      const identityUrl = await startAndVerify(browser, '/clave/recuperar', ana!.affiliate.cedula);
      const identityPage = await browser.get(identityUrl);
      assert.match(identityPage.body, /Paso 2 de 4/);
      assert.match(identityPage.body, /Ninguno de los anteriores/);
      const answers = await correctAnswers(clave, ana!);
      const sent = await browser.submit(identityUrl, { birthDay: String(birthOf(ana!).birthDay), birthMonth: String(birthOf(ana!).birthMonth), ...answers });
      assert.equal(sent.statusCode, 303);
      clock.advance(5000);
      const back = await browser.get(identityUrl);
      assert.equal(back.statusCode, 303, 'Back to the answered page: on to the mail, not "expired"');
      assert.equal(back.headers.location, sent.headers.location);
      // Back to an error page and "Confirm resubmission", or its reload: the form sent again goes on too, judging nothing.
      const answeredAgain = await browser.post(identityUrl, { _csrf: csrfToken(identityPage.body), birthDay: '', birthMonth: '' });
      assert.equal(answeredAgain.statusCode, 303, 'not CLV-050, whose "start again" would replace the link on its way');
      assert.equal(answeredAgain.headers.location, sent.headers.location);
      const checkEmail = await browser.get(sent.headers.location as string);
      assert.match(visibleText(checkEmail.body), /si sus datos coinciden, le enviaremos a su correo registrado en el Instituto de Prueba un mensaje con un enlace para continuar/i);
      assert.match(visibleText(checkEmail.body), /El correo puede tardar unos minutos\. Espere antes de pedir otro enlace/);

      const token = await mailedToken(clave, ana!.affiliate.correo!);
      const opened = await browser.get(`/clave/continuar?token=${token}`);
      assert.equal(opened.statusCode, 200);
      assert.match(opened.body, /<span class="govuk-caption-l">Recuperar clave<\/span>\s*<h1 class="govuk-heading-l">Continúe con su solicitud<\/h1>/, 'the page says which journey it continues');
      assert.equal(opened.headers['referrer-policy'], 'no-referrer');
      assert.match(opened.body, new RegExp(`<form method="post" action="/clave/continuar\\?token=${token}"`), 'the page Continuar leads to keeps the link in its address');
      assert.equal((await browser.get(`/clave/continuar?token=${token}`)).statusCode, 200, 'opening the link twice changes nothing');
      const late = new PageClient(clave.web);
      const lateForm = csrfToken((await late.get(`/clave/continuar?token=${token}`)).body);
      const continued = await browser.submit(`/clave/continuar?token=${token}`, { token }, `/clave/continuar?token=${token}`);
      assert.equal(continued.headers.location, '/clave/nueva');
      // Continuar pressed in another browser after the link was used: refused, and the
      // refusal in the other language is the same refusal, not "link not valid".
      const refused = await late.post(`/clave/continuar?token=${token}`, { _csrf: lateForm, token });
      assert.equal(refused.statusCode, 409);
      assert.equal(refused.headers['referrer-policy'], 'no-referrer');
      const switched = await late.get(/href="([^"]*lang=en)"/.exec(refused.body)![1]!.replaceAll('&amp;', '&'));
      const english = await late.get(switched.headers.location!);
      assert.match(visibleText(english.body), /This link was already used or replaced/);
      await late.get('/?lang=es');
      const reset = continued.cookies.find((c) => c.name === 'clave_reset');
      assert.equal(reset?.httpOnly, true);
      assert.equal(reset?.sameSite, 'Strict');
      // The mail's link opened again (or Back) by the browser that used it: on to its form, not "used".
      assert.equal((await browser.get(`/clave/continuar?token=${token}`)).headers.location, '/clave/nueva');
      assert.equal((await new PageClient(clave.web).get(`/clave/continuar?token=${token}`)).statusCode, 409, 'anyone else: used (CLV-021)');
      const flowId = browser.cookie('clave_reset')!.split('.')[0]!;
      const forged = await clave.web.inject({ url: `/clave/continuar?token=${token}`, cookies: { clave_reset: `${flowId}.${'A'.repeat(43)}` } });
      assert.equal(forged.statusCode, 409, 'the flow id alone, without its live reset token, resumes nothing');

      // Nothing typed: one thing to do, not the rules an empty clave breaks.
      const empty = await browser.submit('/clave/nueva', { password: '', confirmation: '' });
      assert.equal(empty.statusCode, 422);
      assert.deepEqual([...empty.body.matchAll(/<a href="#(\w+)">([^<]*)<\/a>/g)].map((m) => `${m[1]}: ${m[2]}`), ['password: Escriba su nueva clave']);
      const unconfirmed = await browser.submit('/clave/nueva', { password: 'lago-Sereno-47-pino', confirmation: '' });
      assert.deepEqual([...unconfirmed.body.matchAll(/<a href="#(\w+)">([^<]*)<\/a>/g)].map((m) => `${m[1]}: ${m[2]}`), ['confirmation: Escriba otra vez su nueva clave para confirmarla']);

      const weak = await browser.submit('/clave/nueva', { password: 'corta', confirmation: 'otra' });
      assert.equal(weak.statusCode, 422);
      assert.match(weak.body, /<title>Error: /);
      assert.match(weak.body, /govuk-error-summary/);
      assert.match(weak.body, /CLV-030/);
      assert.match(weak.body, /CLV-035/);
      assert.match(weak.body, /value="corta"/, 'what was typed is kept');
      const saved = await browser.submit('/clave/nueva', { password: STRONG, confirmation: STRONG });
      assert.equal(saved.headers.location, '/clave/lista');
      assert.match((await browser.get('/clave/lista')).body, /Su clave personal está lista/);
      assert.equal((await browser.get('/clave/nueva')).headers.location, '/clave/lista', 'Back to the form: the clave is saved, nothing expired');
      const resent = await browser.submit('/clave/recuperar', { password: STRONG, confirmation: STRONG }, '/clave/nueva');
      assert.equal(resent.headers.location, '/clave/lista?ya=1', 'sent after saving (another tab, or Back and resubmit)');
      assert.match(visibleText((await browser.get(resent.headers.location!)).body), /Lo que envió ahora no se guardó: ingrese con la que guardó primero/, 'which clave is theirs');
      assert.doesNotMatch(visibleText((await browser.get('/clave/lista')).body), /no se guardó/);
      const stranger = new PageClient(clave.web);
      assert.equal((await stranger.submit('/clave/recuperar', { password: STRONG, confirmation: STRONG }, '/clave/nueva')).statusCode, 410, 'no reset session: CLV-050');
      const marker = saved.cookies.find((c) => c.name === 'clave_reset');
      assert.equal(marker?.value, `lista.${flowId}`);
      assert.equal(marker?.httpOnly, true);
      assert.equal(marker?.sameSite, 'Strict');
      assert.equal(marker?.maxAge, 1800);
      // The mail's link opened again by the browser that set the clave: what it got to, not "used".
      assert.equal((await browser.get(`/clave/continuar?token=${token}`)).headers.location, '/clave/lista');
      assert.equal((await new PageClient(clave.web).get(`/clave/continuar?token=${token}`)).statusCode, 409, 'for anyone else its link is spent');
      const othersLink = await clave.web.inject({ url: `/clave/continuar?token=${token}`, cookies: { clave_reset: `lista.${crypto.randomUUID()}` } });
      assert.equal(othersLink.statusCode, 409, "another flow's finish says nothing of this link");
      const before = await clave.web.inject({ url: '/clave/nueva', cookies: { clave_reset: 'lista' } });
      assert.equal(before.headers.location, '/clave/lista', 'the bare marker given before the flow id was added still means "done"');
      assert.equal((await new PageClient(clave.web).get('/clave/nueva')).statusCode, 410, 'a browser without the session: CLV-050');

      await clave.settle();
      const notice = clave.catcher!.list().find((m) => m.to.includes(ana!.affiliate.correo!) && /cambiada|creada/.test(m.subject));
      assert.ok(notice);
      const events = await clave.db.query<{ event: string; outcome: string }>("SELECT event, outcome FROM audit_events WHERE cedula_masked = $1 ORDER BY id", [`${ana!.affiliate.cedula.slice(0, 2)}******${ana!.affiliate.cedula.slice(-2)}`]);
      assert.deepEqual(events.map((e) => `${e.event}:${e.outcome}`), ['flow_started:ok', 'identity:verified', 'link_redeemed:ok', 'clave_set:ok']);
    });

    test('"No fui yo" from the notice locks the account again', async () => {
      await clave.settle();
      const notice = clave.catcher!.list().find((m) => m.to.includes(ana!.affiliate.correo!) && /no-fui-yo/.test(m.text))!;
      const token = /no-fui-yo\?token=([A-Za-z0-9_-]{43})/.exec(notice.text)![1]!;
      const browser = new PageClient(clave.web);
      const confirm = await browser.get(`/clave/no-fui-yo?token=${token}`);
      assert.match(confirm.body, /¿No hizo usted este cambio\?/);
      assert.match(confirm.body, /Si no fue usted quien creó, cambió o desbloqueó su clave/, 'a notice may follow a clave created with Generar too');
      assert.match(confirm.body, new RegExp(`<form method="post" action="/clave/no-fui-yo\\?token=${token}"`), 'a refusal after pressing it can be shown in English too');
      const pressed = await browser.submit(`/clave/no-fui-yo?token=${token}`, { token }, `/clave/no-fui-yo?token=${token}`);
      // A page of its own: a reload or the language switch shows it again, not "link not valid".
      assert.equal(pressed.headers.location, '/clave/cuenta-bloqueada');
      const locked = await browser.get(pressed.headers.location!);
      assert.match(locked.body, /Bloqueamos su cuenta/);
      assert.match(locked.body, /class="govuk-button" href="\/clave\/recuperar"/, 'the next step is offered');
      await browser.get('/clave/cuenta-bloqueada?lang=en');
      assert.match((await browser.get('/clave/cuenta-bloqueada')).body, /We locked your account/);
      await browser.get('/?lang=es');
      assert.equal((await new PageClient(clave.web).get('/clave/cuenta-bloqueada')).headers.location, '/', 'only for the browser that locked it');
      const [account] = await clave.db.query<{ status: string }>('SELECT status FROM accounts WHERE cedula = $1', [ana!.affiliate.cedula]);
      assert.equal(account?.status, 'locked');
      const [audit] = await clave.db.query<{ outcome: string }>("SELECT outcome FROM audit_events WHERE event = 'disavowed'");
      assert.equal(audit?.outcome, 'account_locked');
      const usedNoFuiYo = (await browser.get(`/clave/no-fui-yo?token=${token}`)).body;
      assert.match(usedNoFuiYo, /CLV-021/);
      assert.match(usedNoFuiYo, /href="\/clave\/recuperar">Empezar de nuevo: Recuperar clave</, 'the account is locked: Recuperar is the way back');
      assert.doesNotMatch(usedNoFuiYo, /href="\/ingresar">Ingresar</, 'signing in cannot work: not offered');
      assert.match(visibleText(usedNoFuiYo), /su cuenta ya está bloqueada/);
      assert.doesNotMatch(visibleText(usedNoFuiYo), /ingrese con su clave/);
    });

    test('after "No fui yo", Desbloquear mails no link but says to make a new clave; Recuperar opens the account again', async () => {
      const mailCountBefore = clave.catcher!.list().length;
      clock.advance(2 * MINUTE);
      await verifyIdentity(clave, ana!, 'unlock');
      await clave.settle();
      const mails = clave.catcher!.list().slice(0, clave.catcher!.list().length - mailCountBefore);
      assert.deepEqual(mails.map((m) => m.subject), ['Su cuenta sigue bloqueada (CLV-040): cree una clave nueva'], 'told, and sent no link');
      assert.match(mails[0]!.text, /se usó «No fui yo»/);
      assert.match(mails[0]!.text, /cree una clave nueva con Recuperar clave en http:\/\/[^/]+\/clave\/recuperar/);
      assert.doesNotMatch(mails[0]!.text, /token=/);
      const [audit] = await clave.db.query<{ detail: { refused?: string } }>("SELECT detail FROM audit_events WHERE event = 'identity' ORDER BY id DESC LIMIT 1");
      assert.equal(audit?.detail.refused, 'disowned');
      const signIn = () => clave.web.inject({ method: 'POST', url: '/api/v1/sessions', payload: { cedula: ana!.affiliate.cedula, password: STRONG } });
      assert.equal((await signIn()).statusCode, 401, 'the disowned clave still does not sign in');

      clock.advance(2 * MINUTE);
      await giveClave(clave, ana!, 'nuevo-Rumbo-83-sierra', 'recover');
      assert.equal((await clave.web.inject({ method: 'POST', url: '/api/v1/sessions', payload: { cedula: ana!.affiliate.cedula, password: 'nuevo-Rumbo-83-sierra' } })).statusCode, 201);
      const [account] = await clave.db.query<{ disowned_at: Date | null }>('SELECT disowned_at FROM accounts WHERE cedula = $1', [ana!.affiliate.cedula]);
      assert.equal(account?.disowned_at, null, 'a new clave ends what "No fui yo" started');
    });

    test('step 1 errors: missing or malformed cédula, failed CAPTCHA keeps what was typed', async () => {
      const browser = new PageClient(clave.web);
      // Choosing the "wrong" one of the two still works, and the pages say so before anyone chooses.
      assert.match(visibleText((await browser.get('/clave/generar')).body), /si nunca tuvo una\. Si ya tenía una y no la recuerda, también sirve: la nueva la reemplaza\./);
      assert.match(visibleText((await browser.get('/clave/recuperar')).body), /Si nunca tuvo una, también sirve: la crea\./);
      const empty = await browser.submit('/clave/generar', { cedula: '', altcha: '' });
      assert.equal(empty.statusCode, 400);
      assert.match(empty.body, /<title>Error: Generar clave/);
      assert.match(empty.body, /href="#cedula"/);
      const malformed = await browser.submit('/clave/generar', { cedula: '1712345678', altcha: await browser.captcha() });
      assert.match(malformed.body, /CLV-001/);
      assert.match(malformed.body, /value="1712345678"/);
      // Each mistake told in words that fit it: ten digits with one wrong is not a "10 dígitos" problem.
      assert.match(visibleText(malformed.body), /Ese número no es una cédula válida: revise cada dígito, sobre todo el último \(CLV-001\)/);
      for (const [typed, told] of [['17123', /La cédula tiene 10 dígitos y usted escribió 5/], ['17-1003 4065 9', /usted escribió 11/], ['171003406a', /Escriba solo los números de su cédula/], ['926687856', /usted escribió 9\. Si su cédula empieza con 0, escriba también ese 0: 0926687856 \(CLV-001\)/], ['171003406', /La cédula tiene 10 dígitos y usted escribió 9: revise el número/]] as const) {
        const refused = await browser.submit('/clave/generar', { cedula: typed, altcha: await browser.captcha() });
        assert.match(visibleText(refused.body), told, typed);
      }
      const signIn = await browser.submit('/ingresar', { cedula: '0112345674', clave: 'algo' });
      assert.match(visibleText(signIn.body), /Ese número no es una cédula válida/, 'Ingresar says the same');
      assert.match(visibleText((await browser.submit('/ingresar', { cedula: '926687856', clave: 'algo' })).body), /escriba también ese 0: 0926687856/, 'and notices the missing 0 too');
      const noCaptcha = await browser.submit('/clave/generar', { cedula: UNKNOWN_CEDULA, altcha: 'falso' });
      assert.match(noCaptcha.body, /CLV-002/);
      assert.match(noCaptcha.body, new RegExp(`value="${UNKNOWN_CEDULA}"`));
      assert.match(noCaptcha.body, /<altcha-widget challenge="\/captcha\/desafio"/, 'a fresh challenge');
    });

    test('identity errors are listed and linked; typed values are kept', async () => {
      const browser = new PageClient(clave.web);
      const identityUrl = await startAndVerify(browser, '/clave/recuperar', berta!.affiliate.cedula);
      const response = await browser.submit(identityUrl, { birthDay: '40', birthMonth: '3' });
      assert.equal(response.statusCode, 400);
      for (const href of ['#birthDay', '#q1', '#q2', '#q3']) assert.match(response.body, new RegExp(`href="${href}"`));
      assert.match(response.body, /value="40"/);
      assert.doesNotMatch(response.body, /href="#birthMonth"/);

      // A day the month does not have is a typing slip, told at once: it costs no attempt and sends nothing.
      await clave.settle();
      const mailsBefore = clave.catcher!.list().length;
      const impossible = await browser.submit(identityUrl, { birthDay: '31', birthMonth: '2' });
      assert.equal(impossible.statusCode, 400);
      assert.match(visibleText(impossible.body), /Esa fecha no existe: revise el día y el mes de su nacimiento/);
      assert.match(impossible.body, /<a href="#birthDay">Esa fecha no existe/);
      assert.match(impossible.body, /value="31"/);
      await clave.settle();
      assert.equal(clave.catcher!.list().length, mailsBefore, 'nothing was judged');
      const api = await clave.web.inject({ method: 'POST', url: `/api/v1/flows/${identityUrl.split('/')[3]}/identity`, payload: { birthDay: 30, birthMonth: 2, answers: {} } });
      assert.equal(api.statusCode, 422);
      assert.ok(api.json().error.fields.includes('birthDate'), api.body);
      // A month written as a word is understood, as people write it.
      const named = await browser.submit(identityUrl, { birthDay: '40', birthMonth: 'Diciembre' });
      assert.doesNotMatch(named.body, /href="#birthMonth"/, 'diciembre is a month');
      assert.match((await browser.submit(identityUrl, { birthDay: '4', birthMonth: 'zz' })).body, /<a href="#birthMonth">Escriba el mes de su nacimiento, un número del 1 al 12</);
      // Both wrong: both told at the fields too, not only in the summary.
      const both = await browser.submit(identityUrl, { birthDay: '32', birthMonth: '13' });
      assert.match(visibleText(/<p id="birth-error"[\s\S]*?<\/p>/.exec(both.body)?.[0] ?? ''), /Escriba el día de su nacimiento, un número del 1 al 31\. Escriba el mes de su nacimiento, un número del 1 al 12/);
      const leap = await browser.submit(identityUrl, { birthDay: '29', birthMonth: '2' });
      assert.doesNotMatch(visibleText(leap.body), /Esa fecha no existe/, '29 February is a birthday');
    });

    test('link pages say what went wrong and offer to start again', async () => {
      const browser = new PageClient(clave.web);
      for (const [url, code, status] of [
        ['/clave/continuar', 'CLV-022', 400],
        ['/clave/continuar?token=<script>', 'CLV-022', 400],
        [`/clave/continuar?token=${'A'.repeat(43)}`, 'CLV-022', 400],
      ] as const) {
        const page = await browser.get(url);
        assert.equal(page.statusCode, status, url);
        assert.match(page.body, new RegExp(code));
        assert.match(page.body, /<a class="govuk-link" href="\/">Empezar de nuevo<\/a>/, 'a link nobody issued belongs to no journey: the start page');
        assert.doesNotMatch(page.body, /<script>/);
      }
      clock.advance(2 * MINUTE);
      const identityUrl = await startAndVerify(browser, '/clave/recuperar', berta!.affiliate.cedula);
      await browser.submit(identityUrl, { ...Object.fromEntries(Object.entries(birthOf(berta!)).map(([k, v]) => [k, String(v)])), ...(await correctAnswers(clave, berta!)) });
      const token = await mailedToken(clave, berta!.affiliate.correo!);
      clock.advance(16 * MINUTE);
      const expired = await browser.get(`/clave/continuar?token=${token}`);
      assert.equal(expired.statusCode, 410);
      assert.match(expired.body, /CLV-020/);
      assert.match(expired.body, /<a class="govuk-link" href="\/clave\/recuperar">Empezar de nuevo: Recuperar clave<\/a>/, 'back to the journey the link came from');
      const pressed = await browser.submit('/clave/recuperar', { token }, '/clave/continuar');
      assert.equal(pressed.statusCode, 410);
      assert.match(pressed.body, /href="\/clave\/recuperar">Empezar de nuevo: Recuperar clave</);

      // A flow left open past FLOW_TTL: back to its own journey too.
      clock.advance(2 * MINUTE);
      const leftOpen = await startAndVerify(browser, '/clave/generar', berta!.affiliate.cedula);
      clock.advance(31 * MINUTE);
      const timedOut = await browser.get(leftOpen);
      assert.match(timedOut.body, /CLV-050/);
      assert.match(timedOut.body, /href="\/clave\/generar">Empezar de nuevo: Generar clave</);
    });

    test('"revise su correo" counts down to the link\'s own deadline, the same for every outcome, and says how many mails a day go out', async () => {
      const wallClock = (date: Date) => new Intl.DateTimeFormat('es-EC', { timeZone: 'America/Guayaquil', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(date);
      const answerUnlock = async (cedula: string) => {
        clock.advance(2 * MINUTE);
        const browser = new PageClient(clave.web);
        const identityUrl = await startAndVerify(browser, '/clave/desbloquear', cedula);
        const sent = await browser.submit(identityUrl, { birthDay: '1', birthMonth: '1' });
        assert.equal(sent.statusCode, 303);
        const location = sent.headers.location as string;
        const deadline = new Date(clock.now().getTime() + 3 * MINUTE);
        assert.equal(location, `/clave/revise-su-correo?tipo=desbloquear&hasta=${Math.floor(deadline.getTime() / 1000)}`);
        const page = await browser.get(location);
        assert.match(visibleText(page.body), new RegExp(`El enlace vale 3 minutos .* Vence a las ${wallClock(deadline)} \\(hora de Ecuador\\)\\.`));
        // (The deadline travels in whole seconds, rounded down: never later than the link's.)
        assert.match(page.body, /data-countdown-seconds="(179|180)"/);
        assert.match(visibleText(page.body), /Normalmente llega enseguida\. Si el enlace caduca antes de que lo abra, pida otro/);
        assert.doesNotMatch(visibleText(page.body), /puede tardar unos minutos/, 'not beside a 3-minute link');
        assert.match(visibleText(page.body), /enviamos como máximo 5 correos con enlaces o avisos de datos que no coinciden por cédula en 24 horas/);
        // Everybody is told the cases in which nothing comes, since the page cannot tell them apart.
        assert.match(visibleText(page.body), /Después de 3 intentos con datos que no coinciden en 24 horas, no revisamos más respuestas para esa cédula hasta que pase ese tiempo, aunque sean correctas: recibirá un solo aviso \(CLV-011\)\./);
        assert.match(visibleText(page.body), /Solo podemos enviarle algo si usted está afiliado y tiene un correo registrado y verificado en una agencia del Instituto de Prueba\./);
        return { browser, location, page: visibleText(page.body) };
      };
      const known = await answerUnlock(ana!.affiliate.cedula);
      const unknown = await answerUnlock(UNKNOWN_CEDULA);
      assert.equal(known.page.replace(/\d\d:\d\d/, ''), unknown.page.replace(/\d\d:\d\d/, ''), 'a wrong answer and an unknown cédula read alike');
      // A reload after a while (the phone reopened the tab): the countdown goes on, it does not start again.
      clock.advance(65_000);
      assert.match((await unknown.browser.get(unknown.location)).body, /data-countdown-seconds="(114|115)"/);
      clock.advance(5 * MINUTE);
      assert.match((await unknown.browser.get(unknown.location)).body, /data-countdown-seconds="0"/);
      // A deadline the link could not have (typed by hand): the full validity, no clock time.
      for (const hasta of [String(Math.floor(clock.now().getTime() / 1000) + 3600), 'mañana', '1e9', '']) {
        const page = await unknown.browser.get(`/clave/revise-su-correo?tipo=desbloquear&hasta=${encodeURIComponent(hasta)}`);
        assert.equal(page.statusCode, 200, hasta);
        assert.match(page.body, /data-countdown-seconds="180"/, hasta);
        assert.doesNotMatch(visibleText(page.body), /Vence a las/, hasta);
      }
    });

    test('a form without its CSRF token is refused, and nothing changes', async () => {
      const browser = new PageClient(clave.web);
      await browser.get('/clave/recuperar');
      const forged = await browser.post('/clave/recuperar', { cedula: UNKNOWN_CEDULA, altcha: await browser.captcha() });
      assert.equal(forged.statusCode, 403);
      assert.match(forged.body, /CLV-050/);
    });
  });
}
