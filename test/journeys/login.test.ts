import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { backends } from '../support/backends.ts';
import { startTestClave, type TestClave } from '../support/clave.ts';
import { testClock, MINUTE } from '../support/clock.ts';
import { apiCaptcha, birthOf, giveClave, loadDemoRegistry, mailedToken, UNKNOWN_CEDULA, verifiedPeople } from '../support/journey.ts';
import { csrfToken, PageClient, visibleText } from '../support/browserless.ts';
import { maskCedula } from '../../src/domain/cedula.ts';
import { createPasswordHasher } from '../../src/adapters/password-hasher.ts';

const CLAVE = 'rio-Azul-58-puente';
const ANDROID_CHROME = 'Mozilla/5.0 (Linux; Android 14; SM-A155M) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36';

for (const backend of backends()) {
  describe(`Ingresar, lockout and Desbloquear on ${backend.name}`, () => {
    let clave: TestClave;
    const clock = testClock();
    const [ana, berta, carla] = verifiedPeople();

    before(async () => {
      clave = await startTestClave(backend, { CAPTCHA_MAX_NUMBER: '1000' }, { clock: clock.now });
      await loadDemoRegistry(clave);
      await giveClave(clave, ana!, CLAVE);
      clock.advance(2 * MINUTE);
      await giveClave(clave, berta!, CLAVE);
    });
    after(async () => clave.dispose());

    const login = (cedula: string, password: string) => clave.web.inject({ method: 'POST', url: '/api/v1/sessions', payload: { cedula, password } });

    test('the right clave opens a session; a wrong clave and an unknown cédula get the same answer', async () => {
      const ok = await login(ana!.affiliate.cedula, CLAVE);
      assert.equal(ok.statusCode, 201);
      assert.match(ok.json().session, /^[A-Za-z0-9_-]{43}$/);
      const wrong = await login(ana!.affiliate.cedula, 'otra-cosa-cualquiera');
      const unknown = await login(UNKNOWN_CEDULA, 'otra-cosa-cualquiera');
      const noClave = await login(carla!.affiliate.cedula, 'otra-cosa-cualquiera');
      for (const response of [wrong, unknown, noClave]) {
        assert.equal(response.statusCode, 401);
        assert.equal(response.body, wrong.body);
      }
      assert.equal(wrong.json().error.code, 'CLV-041');
    });

    test('a sign-in clears the count of failures, and every attempt is in the audit trail with its outcome', async () => {
      const [{ last }] = (await clave.db.query<{ last: number | null }>('SELECT max(id) AS last FROM audit_events')) as [{ last: number | null }];
      // Ana has 1 failure from the test above: 3 more, a sign-in, then 4 more still answer CLV-041.
      const codes = [];
      for (const password of ['mala-1', 'mala-2', 'mala-3', CLAVE, 'mala-4', 'mala-5', 'mala-6', 'mala-7', CLAVE]) {
        const response = await login(ana!.affiliate.cedula, password);
        codes.push(response.statusCode === 201 ? 'ok' : response.json().error.code);
      }
      assert.deepEqual(codes, ['CLV-041', 'CLV-041', 'CLV-041', 'ok', 'CLV-041', 'CLV-041', 'CLV-041', 'CLV-041', 'ok']);
      const trail = await clave.db.query<{ event: string; outcome: string; cedula_masked: string }>(
        "SELECT event, outcome, cedula_masked FROM audit_events WHERE id > $1 AND event = 'login' ORDER BY id",
        [last ?? 0],
      );
      assert.deepEqual(
        trail.map((row) => row.outcome),
        ['failed', 'failed', 'failed', 'ok', 'failed', 'failed', 'failed', 'failed', 'ok'],
      );
      assert.ok(trail.every((row) => row.cedula_masked === maskCedula(ana!.affiliate.cedula)));
    });

    test('a clave stored under older argon2id settings is hashed again with the current ones at sign-in', async () => {
      const older = createPasswordHasher({ memoryKib: 8192, iterations: 1, parallelism: 1 });
      const stale = await older.hash(CLAVE);
      await clave.db.query("INSERT INTO accounts (cedula, status, password_hash) VALUES ($1, 'active', $2)", [carla!.affiliate.cedula, stale]);
      const stored = async () => (await clave.db.query<{ password_hash: string }>('SELECT password_hash FROM accounts WHERE cedula = $1', [carla!.affiliate.cedula]))[0]!.password_hash;
      assert.equal((await login(carla!.affiliate.cedula, 'otra-cosa-cualquiera')).statusCode, 401);
      assert.equal(await stored(), stale, 'a wrong clave changes nothing');
      assert.equal((await login(carla!.affiliate.cedula, CLAVE)).statusCode, 201);
      await clave.settle(); // the new hash is made after the answer
      const upgraded = await stored();
      assert.match(upgraded, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
      assert.equal((await login(carla!.affiliate.cedula, CLAVE)).statusCode, 201, 'the same clave still works');
      await clave.settle();
      assert.equal(await stored(), upgraded, 'a current hash is left alone');
    });

    test('5 wrong claves lock; then even the right clave is refused with CLV-040 — and the same happens to an unknown cédula', async () => {
      for (let attempt = 1; attempt <= 5; attempt++) {
        const response = await login(berta!.affiliate.cedula, `mala-${attempt}`);
        assert.equal(response.json().error.code, attempt < 5 ? 'CLV-041' : 'CLV-040', `attempt ${attempt}`);
      }
      const right = await login(berta!.affiliate.cedula, CLAVE);
      assert.equal(right.statusCode, 423);
      const [{ outcomes }] = (await clave.db.query<{ outcomes: string[] }>(
        "SELECT array_agg(outcome ORDER BY id) AS outcomes FROM audit_events WHERE event = 'login' AND cedula_masked = $1",
        [maskCedula(berta!.affiliate.cedula)],
      )) as [{ outcomes: string[] }];
      assert.deepEqual(outcomes.slice(-6), ['failed', 'failed', 'failed', 'failed', 'locked_now', 'locked']);
      assert.equal(right.json().error.code, 'CLV-040');
      const [account] = await clave.db.query<{ status: string }>('SELECT status FROM accounts WHERE cedula = $1', [berta!.affiliate.cedula]);
      assert.equal(account?.status, 'locked');
      // The owner is told once, on every registered channel; the refusals after the lock stay silent.
      await clave.settle();
      const { correo, celular } = berta!.affiliate;
      const notices = clave.catcher!.list().filter((m) => m.to.includes(correo!) && m.subject.includes('CLV-040'));
      assert.equal(notices.length, 1);
      assert.equal(notices[0]!.subject, 'Su cuenta fue bloqueada (CLV-040)');
      assert.match(notices[0]!.text, /después de 5 intentos seguidos con una clave incorrecta, al ingresar o al cambiar la clave en Mi cuenta/);
      assert.match(notices[0]!.text, /\/clave\/desbloquear/);
      // SMS go to the number in international form (+593…).
      if (celular) assert.equal(clave.catcher!.list().filter((m) => m.from === 'SMS' && m.to[0]!.endsWith(celular.slice(-9)) && m.text.includes('CLV-040')).length, 1);
      const caught = clave.catcher!.list().length;
      const results = [];
      for (let attempt = 1; attempt <= 6; attempt++) results.push((await login('0602910945', `mala-${attempt}`)).json().error.code);
      assert.deepEqual(results, ['CLV-041', 'CLV-041', 'CLV-041', 'CLV-041', 'CLV-040', 'CLV-040']);
      await clave.settle();
      assert.equal(clave.catcher!.list().length, caught, 'a cédula without an account is told nothing');

      // The page: the lock is not a mistake in the form to correct, so the ways out are the page.
      const page = await new PageClient(clave.web).submit('/ingresar', { cedula: berta!.affiliate.cedula, clave: CLAVE });
      assert.equal(page.statusCode, 423);
      assert.match(page.body, /<title>Su cuenta está bloqueada – /);
      assert.match(visibleText(page.body), /Su cuenta está bloqueada Código CLV-040\. Después de 5 intentos fallidos seguidos/);
      assert.match(page.body, /<a class="govuk-button" href="\/clave\/desbloquear">Desbloquear clave<\/a>/);
      assert.match(page.body, /<a class="govuk-button govuk-button--secondary" href="\/clave\/recuperar">Recuperar clave<\/a>/);
      assert.doesNotMatch(page.body, /action="\/ingresar"/, 'no form inviting a try that cannot work');
      assert.doesNotMatch(page.body, /govuk-error-summary/);
    });

    test('Desbloquear: birth data → mailed link valid 3 minutes and once → unlocked, clave unchanged', async () => {
      const person = berta!;
      const post = (url: string, payload: object) => clave.web.inject({ method: 'POST', url, payload });
      const unlockOnce = async () => {
        clock.advance(2 * MINUTE);
        const started = await post('/api/v1/flows', { kind: 'unlock', cedula: person.affiliate.cedula, captcha: await apiCaptcha(clave) });
        assert.deepEqual(started.json().questions, [], 'unlock asks no questions');
        const sent = await post(`/api/v1/flows/${started.json().flowId}/identity`, { ...birthOf(person), answers: {} });
        assert.equal(sent.statusCode, 202);
        return mailedToken(clave, person.affiliate.correo!);
      };
      const late = await unlockOnce();
      await clave.settle();
      const mail = clave.catcher!.list().find((m) => m.text.includes(late))!;
      assert.match(mail.text, /dura solo 3 minutos/);
      clock.advance(3 * MINUTE + 1000);
      assert.equal((await post('/api/v1/tokens/redeem', { token: late })).json().error.code, 'CLV-020');
      const latePage = await clave.web.inject({ url: `/clave/continuar?token=${late}` });
      assert.equal(latePage.statusCode, 410);
      assert.match(latePage.body, /<a class="govuk-link" href="\/clave\/desbloquear">Empezar de nuevo: Desbloquear clave<\/a>/, 'back to Desbloquear, not to the start page');
      assert.match(visibleText(latePage.body), /Si no alcanza a abrir el enlace de Desbloquear a tiempo, use Recuperar clave/);
      assert.match(latePage.body, /<a class="govuk-link" href="\/clave\/recuperar">Recuperar clave<\/a>/);

      const token = await unlockOnce();
      const redeemed = await post('/api/v1/tokens/redeem', { token });
      assert.deepEqual(redeemed.json(), { flowId: redeemed.json().flowId, step: 'unlocked', hasClave: true });
      assert.equal((await post('/api/v1/tokens/redeem', { token })).json().error.code, 'CLV-021');
      const usedPage = (await clave.web.inject({ url: `/clave/continuar?token=${token}` })).body;
      assert.match(usedPage, /href="\/clave\/desbloquear">Empezar de nuevo: Desbloquear clave</);
      assert.match(usedPage, /<a class="govuk-link" href="\/ingresar">Ingresar<\/a>/, '"si ya terminó, ingrese": a link to do it');
      assert.doesNotMatch(usedPage, /use Recuperar clave/, 'the unlock hint is for expired links');
      assert.equal((await login(person.affiliate.cedula, CLAVE)).statusCode, 201, 'the same clave works again');
    });

    test('locked again within a day, the owner is not told again: locking cannot be turned into a flood', async () => {
      for (let attempt = 1; attempt <= 5; attempt++) await login(berta!.affiliate.cedula, `otra-mala-${attempt}`);
      assert.equal((await login(berta!.affiliate.cedula, CLAVE)).json().error.code, 'CLV-040');
      await clave.settle();
      const notices = clave.catcher!.list().filter((m) => m.to.includes(berta!.affiliate.correo!) && m.subject.includes('CLV-040'));
      assert.equal(notices.length, 1);
    });

    test('Desbloquear with wrong birth data: the same answer, and a CLV-010 notice instead of a link', async () => {
      clock.advance(2 * MINUTE);
      const post = (url: string, payload: object) => clave.web.inject({ method: 'POST', url, payload });
      const started = await post('/api/v1/flows', { kind: 'unlock', cedula: ana!.affiliate.cedula, captcha: await apiCaptcha(clave) });
      const { birthDay, birthMonth } = birthOf(ana!);
      const sent = await post(`/api/v1/flows/${started.json().flowId}/identity`, { birthDay: (birthDay % 28) + 1, birthMonth, answers: {} });
      assert.deepEqual(sent.json(), { step: 'check_email' });
      await clave.settle();
      assert.match(clave.catcher!.list().find((m) => m.to.includes(ana!.affiliate.correo!))!.subject, /CLV-010/);
    });

    test('session cookies carry the flags; changing the clave ends the other sessions; "cerrar las demás" does too', async () => {
      const first = new PageClient(clave.web, ANDROID_CHROME);
      const second = new PageClient(clave.web, '<b>curl</b>/8.5.0');
      for (const browser of [first, second]) {
        const response = await browser.submit('/ingresar', { cedula: ana!.affiliate.cedula, clave: CLAVE });
        assert.equal(response.headers.location, '/cuenta');
        const cookie = response.cookies.find((c) => c.name === 'clave_sesion')!;
        assert.equal(cookie.httpOnly, true);
        assert.equal(cookie.sameSite, 'Lax');
        assert.equal(cookie.path, '/');
      }
      const page = await first.get('/cuenta');
      assert.match(page.body, /Mi cuenta/);
      assert.match(page.body, /[a-z]\*\*\*@correo\.example/);
      assert.doesNotMatch(page.body, new RegExp(ana!.affiliate.correo!.replace('.', '\\.')));
      const live = await clave.db.query('SELECT 1 FROM sessions WHERE cedula = $1 AND revoked_at IS NULL', [ana!.affiliate.cedula]);
      assert.equal((page.body.match(/<tr class="govuk-table__row">/g) ?? []).length, 1 + live.length, 'one row per open session');
      assert.equal((page.body.match(/Esta sesión/g) ?? []).length, 1);
      // When each was opened, so two sessions on alike devices can be told apart.
      assert.match(page.body, /<th scope="col" class="govuk-table__header">Ingresó<\/th>/);
      const [opened] = await clave.db.query<{ created_at: Date }>('SELECT created_at FROM sessions WHERE cedula = $1 AND revoked_at IS NULL ORDER BY created_at LIMIT 1', [ana!.affiliate.cedula]);
      assert.match(page.body, new RegExp(`<time datetime="${opened!.created_at.toISOString()}">\\d{1,2} \\w+ \\d{4}, \\d{2}:\\d{2}</time>`), 'on the 24-hour clock of the mails');
      const devices = [...page.body.matchAll(/<td class="govuk-table__cell">([^<]+)/g)].map((cell) => cell[1]!.trim());
      assert.ok(devices.includes('Chrome en Android'), `sessions named as a person knows them: ${devices.join(' | ')}`);
      assert.ok(devices.includes('Navegador desconocido'), 'a client that is not a browser is not quoted');
      assert.doesNotMatch(page.body, /Mozilla|curl/, 'the raw header never reaches the page');

      const openForm = csrfToken((await second.get('/cuenta/clave')).body);
      const ended = await first.submit('/cuenta', {}, '/cuenta/sesiones');
      assert.equal(ended.headers.location, '/cuenta?hecho=sesiones');
      // The other device sends the form it had open: nothing changes, and it is told so.
      const lost = await second.post('/cuenta/clave', { _csrf: openForm, current: CLAVE, password: 'otra-Frase-55-larga', confirmation: 'otra-Frase-55-larga' });
      assert.equal(lost.headers.location, '/ingresar?sesion=terminada', 'the other session is over');
      assert.match(visibleText((await second.get(lost.headers.location!)).body), /Si estaba haciendo un cambio, no se guardó\./);
      assert.equal((await login(ana!.affiliate.cedula, 'otra-Frase-55-larga')).statusCode, 401, 'the clave did not change');
      const alone = await first.get('/cuenta');
      assert.equal(alone.statusCode, 200);
      assert.doesNotMatch(alone.body, /Cerrar las demás sesiones/, 'no other session to close');
      assert.match(page.body, /Cerrar las demás sesiones/, 'offered while there were two');

      const third = new PageClient(clave.web);
      await third.submit('/ingresar', { cedula: ana!.affiliate.cedula, clave: CLAVE });
      const wrongCurrent = await first.submit('/cuenta/clave', { current: 'no-es-esta', password: 'nueva-Frase-77-larga', confirmation: 'nueva-Frase-77-larga' });
      assert.match(wrongCurrent.body, /CLV-041/);
      assert.doesNotMatch(wrongCurrent.body, /CLV-03\d/, 'a good new clave has nothing to say');

      // Everything wrong at once: the current clave and the new one's rules, with what was typed kept.
      const allWrong = await first.submit('/cuenta/clave', { current: 'no-es-esta', password: 'corta', confirmation: 'otra' });
      assert.equal(allWrong.statusCode, 422);
      const summary = [...allWrong.body.matchAll(/<a href="#(\w+)">[^<]*\((CLV-\d+)\)/g)].map((m) => `${m[1]} ${m[2]}`);
      assert.deepEqual(summary, ['current CLV-041', 'password CLV-030', 'password CLV-031', 'confirmation CLV-035']);
      assert.match(allWrong.body, /id="password" name="password" type="password"[^>]* value="corta"/, 'the new clave is kept');
      assert.match(allWrong.body, /id="confirmation" name="confirmation" type="password"[^>]* value="otra"/);
      assert.doesNotMatch(allWrong.body, /no-es-esta/, 'the current clave is never sent back');
      assert.match(allWrong.body, /data-practice="length"/, 'the checklist of Recuperar step 4');
      assert.match(visibleText(allWrong.body), /Después de 5 intentos fallidos seguidos, aquí o al ingresar, su cuenta se bloquea y esta sesión se cierra\./, 'warned before the lock');
      const markup = '"><script>alert(1)</script>';
      const escaped = await first.submit('/cuenta/clave', { current: CLAVE, password: markup, confirmation: `${markup}!` });
      assert.equal(escaped.statusCode, 422);
      assert.doesNotMatch(escaped.body, /<script>alert/, 'what was typed comes back as text, not markup');
      assert.match(escaped.body, /value="&quot;&gt;&lt;script&gt;alert\(1\)&lt;\/script&gt;"/);
      // Without the current clave, a session (a stolen cookie) must not learn which claves
      // were used before, nor the owner's data by trying it in the new clave.
      const reusedUnproven = await first.submit('/cuenta/clave', { current: 'no-es-esta', password: CLAVE, confirmation: CLAVE });
      assert.match(reusedUnproven.body, /CLV-041/);
      assert.doesNotMatch(reusedUnproven.body, /CLV-034/);
      const [year, month, day] = ana!.affiliate.fechaNacimiento.split('-');
      // (The fourth wrong current clave of five: the next right one starts the count again.)
      const probe = `${ana!.affiliate.apellidos.split(' ')[0]}-${day}${month}${year}-${ana!.affiliate.cedula}`;
      const personalUnproven = await first.submit('/cuenta/clave', { current: 'no-es-esta', password: probe, confirmation: probe });
      assert.match(personalUnproven.body, /CLV-041/);
      assert.doesNotMatch(personalUnproven.body, /CLV-03[23]/, "nothing about the owner's data");
      const changed = await first.submit('/cuenta/clave', { current: CLAVE, password: 'nueva-Frase-77-larga', confirmation: 'nueva-Frase-77-larga' });
      assert.equal(changed.headers.location, '/cuenta?hecho=clave');
      assert.equal((await third.get('/cuenta')).headers.location, '/ingresar?sesion=terminada', 'a changed clave ends the other sessions');
      assert.equal((await first.get('/cuenta')).statusCode, 200, 'but not the one that changed it');
      assert.equal((await login(ana!.affiliate.cedula, 'nueva-Frase-77-larga')).statusCode, 201);

      await first.submit('/cuenta', {}, '/salir');
      assert.equal((await first.get('/cuenta')).headers.location, '/ingresar');
    });

    test('signing in again from the same browser rotates the session id and ends the old one', async () => {
      const browser = new PageClient(clave.web);
      await browser.submit('/ingresar', { cedula: ana!.affiliate.cedula, clave: 'nueva-Frase-77-larga' });
      const first = browser.cookie('clave_sesion');
      await browser.submit('/ingresar', { cedula: ana!.affiliate.cedula, clave: 'nueva-Frase-77-larga' });
      const second = browser.cookie('clave_sesion');
      assert.ok(first && second && first !== second);
      const replay = await clave.web.inject({ url: '/cuenta', cookies: { clave_sesion: first } });
      assert.equal(replay.headers.location, '/ingresar?sesion=terminada', 'the old id no longer works');
    });

    test('sessions expire when idle', async () => {
      const browser = new PageClient(clave.web);
      const signedIn = await browser.submit('/ingresar', { cedula: ana!.affiliate.cedula, clave: 'nueva-Frase-77-larga' });
      assert.equal(signedIn.headers.location, '/cuenta', signedIn.body.slice(0, 3000));
      assert.equal((await browser.get('/cuenta')).statusCode, 200);
      clock.advance(31 * MINUTE);
      const ended = await browser.get('/cuenta');
      assert.equal(ended.headers.location, '/ingresar?sesion=terminada');
      assert.match(visibleText((await browser.get(ended.headers.location!)).body), /Su sesión terminó Ingrese de nuevo\. Por seguridad, las sesiones se cierran, por ejemplo, tras 30 min sin uso/, 'why they must sign in again');
      assert.equal((await browser.get('/cuenta')).headers.location, '/ingresar', 'told once: the cookie is gone');
      assert.doesNotMatch(visibleText((await browser.get('/ingresar')).body), /Su sesión terminó/);
      const english = await clave.web.inject({ url: '/ingresar?sesion=terminada', cookies: { lang: 'en' } });
      assert.match(visibleText(english.body), /Your session has ended Sign in again\. For your security, sessions end, for example, after 30 min without use/);
    });

    test('"Salir" sits in the header of the signed-in pages and ends the session from there', async () => {
      const browser = new PageClient(clave.web);
      await browser.submit('/ingresar', { cedula: ana!.affiliate.cedula, clave: 'nueva-Frase-77-larga' });
      for (const path of ['/cuenta', '/cuenta/clave']) {
        const header = /<header[\s\S]*<\/header>/.exec((await browser.get(path)).body)?.[0] ?? '';
        assert.match(header, /<form method="post" action="\/salir"[^>]*>\s*<input type="hidden" name="_csrf" value="[^"]+">\s*<button type="submit">Salir<\/button>/, path);
      }
      const start = (await browser.get('/')).body;
      assert.doesNotMatch(start, /action="\/salir"/, 'not on pages that do not know the session');
      assert.match(/<header[\s\S]*<\/header>/.exec(start)![0], /<li><a href="\/cuenta">Mi cuenta<\/a><\/li>/, 'but the way back to it is');
      const out = await browser.submit('/cuenta/clave', {}, '/salir');
      assert.equal(out.headers.location, '/?salio=1');
      const home = visibleText((await browser.get(out.headers.location)).body);
      assert.match(home, /Listo Salió de su cuenta\. Si usa un equipo o teléfono compartido, cierre también el navegador\./);
      assert.equal(home.match(/Salió de su cuenta/g)?.length, 1, 'said once');
      assert.equal((await browser.get('/cuenta')).headers.location, '/ingresar');
      assert.doesNotMatch((await browser.get('/')).body, /href="\/cuenta"/, 'signed out: no way back to a session');
    });

    test('API: DELETE /sessions/current ends the session of the bearer token, and saying it twice is no error', async () => {
      const opened = await login(ana!.affiliate.cedula, 'nueva-Frase-77-larga');
      const token = opened.json().session as string;
      assert.equal((await clave.web.inject({ url: '/cuenta', cookies: { clave_sesion: token } })).statusCode, 200);
      const end = () => clave.web.inject({ method: 'DELETE', url: '/api/v1/sessions/current', headers: { authorization: `Bearer ${token}` } });
      const ended = await end();
      assert.equal(ended.statusCode, 204);
      assert.equal(ended.body, '');
      assert.equal((await clave.web.inject({ url: '/cuenta', cookies: { clave_sesion: token } })).headers.location, '/ingresar?sesion=terminada');
      assert.equal((await end()).statusCode, 204);
      for (const headers of [{}, { authorization: 'Basic abc' }, { authorization: `Bearer ${token}<script>` }]) {
        const refused = await clave.web.inject({ method: 'DELETE', url: '/api/v1/sessions/current', headers });
        assert.equal(refused.statusCode, 401);
        assert.deepEqual(refused.json().error.fields, ['authorization']);
      }
    });

    test('the history keeps only the last PASSWORD_HISTORY claves', async () => {
      const browser = new PageClient(clave.web);
      await browser.submit('/ingresar', { cedula: ana!.affiliate.cedula, clave: 'nueva-Frase-77-larga' });
      let current = 'nueva-Frase-77-larga';
      for (const next of ['cielo-Verde-11-monte', 'cielo-Verde-12-monte', 'cielo-Verde-13-monte', 'cielo-Verde-14-monte', 'cielo-Verde-15-monte', 'cielo-Verde-16-monte', 'cielo-Verde-17-monte']) {
        const changed = await browser.submit('/cuenta/clave', { current, password: next, confirmation: next });
        assert.equal(changed.headers.location, '/cuenta?hecho=clave', next);
        current = next;
      }
      const kept = await clave.db.query<{ total: number }>('SELECT count(*) AS total FROM password_history WHERE cedula = $1', [ana!.affiliate.cedula]);
      assert.equal(kept[0]!.total, clave.config.limits.passwordHistory);
      const reused = await browser.submit('/cuenta/clave', { current, password: 'cielo-Verde-12-monte', confirmation: 'cielo-Verde-12-monte' });
      assert.equal(reused.statusCode, 422);
      assert.match(reused.body, /No puede repetir su clave actual ni una de las últimas 5 \(CLV-034\)/, 'one of the last five is refused');
      const older = await browser.submit('/cuenta/clave', { current, password: 'nueva-Frase-77-larga', confirmation: 'nueva-Frase-77-larga' });
      assert.equal(older.headers.location, '/cuenta?hecho=clave', 'one older than the last five is forgotten');
    });

    test('a session ends at its absolute lifetime, however busy it is, and its cookie expires then too', async () => {
      const browser = new PageClient(clave.web);
      const signedIn = await browser.submit('/ingresar', { cedula: ana!.affiliate.cedula, clave: 'nueva-Frase-77-larga' });
      const opened = clock.now().getTime();
      const cookie = signedIn.cookies.find((c) => c.name === 'clave_sesion')!;
      assert.ok(Math.abs(new Date(cookie.expires!).getTime() - (opened + 12 * 60 * MINUTE)) < 1000, 'the cookie lasts as long as the session may (to the second)');
      // Used every 25 minutes, it never idles out (30 min), and still ends after 12 hours.
      while (clock.now().getTime() + 25 * MINUTE < opened + 12 * 60 * MINUTE) {
        clock.advance(25 * MINUTE);
        assert.equal((await browser.get('/cuenta')).statusCode, 200, `${(clock.now().getTime() - opened) / MINUTE} min after signing in`);
      }
      clock.advance(25 * MINUTE);
      assert.equal((await browser.get('/cuenta')).headers.location, '/ingresar?sesion=terminada');
    });

    test('a clave set through Recuperar ends every session of the account, in browsers and of the API', async () => {
      const browser = new PageClient(clave.web);
      assert.equal((await browser.submit('/ingresar', { cedula: carla!.affiliate.cedula, clave: CLAVE })).headers.location, '/cuenta');
      const app = (await login(carla!.affiliate.cedula, CLAVE)).json().session as string;
      assert.equal((await clave.web.inject({ url: '/cuenta', cookies: { clave_sesion: app } })).statusCode, 200);
      await giveClave(clave, carla!, 'sol-Dorado-64-camino', 'recover');
      assert.equal((await browser.get('/cuenta')).headers.location, '/ingresar?sesion=terminada');
      assert.equal((await clave.web.inject({ url: '/cuenta', cookies: { clave_sesion: app } })).headers.location, '/ingresar?sesion=terminada');
      const live = await clave.db.query('SELECT 1 FROM sessions WHERE cedula = $1 AND revoked_at IS NULL', [carla!.affiliate.cedula]);
      assert.equal(live.length, 0);
      assert.equal((await login(carla!.affiliate.cedula, 'sol-Dorado-64-camino')).statusCode, 201, 'the new clave signs in');
    });
  });
}
