import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { backends } from '../support/backends.ts';
import { startTestClave, type TestClave } from '../support/clave.ts';
import { gatedHasher } from '../support/gated-hasher.ts';
import { giveClave, loadDemoRegistry, mailablePeople, UNKNOWN_CEDULA } from '../support/journey.ts';
import { PageClient, visibleText } from '../support/browserless.ts';
import { maskCedula } from '../../src/domain/cedula.ts';
import { createPasswordHasher } from '../../src/adapters/password-hasher.ts';
import type { DemoAffiliate } from '../../src/adapters/registry/demo-registry.ts';

const CLAVE = 'rio-Azul-58-puente';
const NEW_CLAVE = 'nueva-Frase-77-larga';

for (const backend of backends()) {
  describe(`wrong claves count wherever they are typed, and races end safely, on ${backend.name}`, () => {
    let clave: TestClave;
    const gate = gatedHasher();
    const [guesser, counted, lockedMeanwhile, raced, disavowed, upgraded] = mailablePeople(6) as DemoAffiliate[];

    before(async () => {
      clave = await startTestClave(backend, { CAPTCHA_MAX_NUMBER: '1000' }, { hasher: gate.hasher });
      await loadDemoRegistry(clave);
      for (const person of [guesser, counted, lockedMeanwhile, raced, disavowed]) await giveClave(clave, person!, CLAVE);
    });
    after(async () => clave.dispose());

    const login = (cedula: string, password: string) => clave.web.inject({ method: 'POST', url: '/api/v1/sessions', payload: { cedula, password } });
    const wrongLogins = async (person: DemoAffiliate, count: number) => {
      const codes = [];
      for (let attempt = 1; attempt <= count; attempt++) codes.push((await login(person.affiliate.cedula, `mala-${attempt}`)).json().error.code);
      return codes;
    };
    const signedIn = async (person: DemoAffiliate) => {
      const browser = new PageClient(clave.web);
      assert.equal((await browser.submit('/ingresar', { cedula: person.affiliate.cedula, clave: CLAVE })).headers.location, '/cuenta');
      return browser;
    };
    const account = async (person: DemoAffiliate) =>
      (await clave.db.query<{ status: string; password_hash: string }>('SELECT status, password_hash FROM accounts WHERE cedula = $1', [person.affiliate.cedula]))[0]!;
    const change = (browser: PageClient, current: string, password = NEW_CLAVE) => browser.submit('/cuenta/clave', { current, password, confirmation: password });

    test('wrong current claves at Mi cuenta count as wrong sign-ins: the fifth locks the account, ends that session and tells the owner', async () => {
      const browser = await signedIn(guesser!);
      for (let attempt = 1; attempt <= 4; attempt++) {
        const wrong = await change(browser, `adivina-${attempt}`);
        assert.equal(wrong.statusCode, 422, `attempt ${attempt}`);
        assert.match(wrong.body, /La clave actual no es correcta \(CLV-041\)/);
        assert.match(visibleText(wrong.body), attempt === 4 ? /Le queda 1 intento antes de que su cuenta se bloquee\./ : new RegExp(`Le quedan ${5 - attempt} intentos antes de que su cuenta se bloquee\\.`), `attempt ${attempt}: told how many are left`);
      }
      const fifth = await change(browser, 'adivina-5');
      assert.equal(fifth.statusCode, 423);
      assert.match(fifth.body, /CLV-040/);
      for (const [href, text] of [['/clave/desbloquear', 'Desbloquear clave'], ['/clave/recuperar', 'Recuperar clave']]) {
        assert.match(fifth.body, new RegExp(`<a class="govuk-link" href="${href}">${text}</a>`), 'the journeys the page names are links');
      }
      assert.equal(browser.cookie('clave_sesion'), undefined, 'the browser forgets the session the lock ended');
      assert.doesNotMatch(fifth.body, /href="\/cuenta"/, 'and the lock page offers no "Mi cuenta" it cannot open');
      assert.equal((await browser.get('/cuenta')).headers.location, '/ingresar', 'the session that guessed is over');
      assert.equal((await account(guesser!)).status, 'locked');
      assert.equal((await login(guesser!.affiliate.cedula, CLAVE)).json().error.code, 'CLV-040', 'even the right clave, until Desbloquear');
      const trail = await clave.db.query<{ outcome: string }>("SELECT outcome FROM audit_events WHERE event = 'current_clave' AND cedula_masked = $1 ORDER BY id", [maskCedula(guesser!.affiliate.cedula)]);
      assert.deepEqual(trail.map((row) => row.outcome), ['failed', 'failed', 'failed', 'failed', 'locked_now']);
      await clave.settle();
      const notices = clave.catcher!.list().filter((mail) => mail.to.includes(guesser!.affiliate.correo!) && mail.subject.includes('CLV-040'));
      assert.equal(notices.length, 1, 'the owner is told, once');
      assert.match(notices[0]!.text, /al ingresar o al cambiar la clave en Mi cuenta/, 'the notice does not speak only of signing in');
    });

    test('the right current clave starts the count of wrong ones again, as a sign-in does', async () => {
      const browser = await signedIn(counted!);
      assert.deepEqual(await wrongLogins(counted!, 3), ['CLV-041', 'CLV-041', 'CLV-041']);
      const weak = await change(browser, CLAVE, 'corta');
      assert.equal(weak.statusCode, 422);
      assert.doesNotMatch(weak.body, /CLV-041/, 'the current clave was right');
      assert.deepEqual(await wrongLogins(counted!, 5), ['CLV-041', 'CLV-041', 'CLV-041', 'CLV-041', 'CLV-040']);
    });

    test('an account locked while a session is open gets no new clave from that session', async () => {
      const browser = await signedIn(lockedMeanwhile!);
      const before = await account(lockedMeanwhile!);
      assert.deepEqual(await wrongLogins(lockedMeanwhile!, 5), ['CLV-041', 'CLV-041', 'CLV-041', 'CLV-041', 'CLV-040']);
      const refused = await change(browser, CLAVE);
      assert.equal(refused.statusCode, 423);
      assert.match(refused.body, /CLV-040/);
      assert.deepEqual(await account(lockedMeanwhile!), { ...before, status: 'locked' }, 'still locked, with the same clave');
      assert.ok(browser.cookie('clave_sesion'), 'a lock from Ingresar ends no session, so the browser keeps its cookie');
      assert.equal((await browser.get('/cuenta')).statusCode, 200);
    });

    test('a lock that lands while the new clave is being hashed wins: nothing changes', async () => {
      const browser = await signedIn(raced!);
      const before = await account(raced!);
      const hashing = gate.holdNext('hash');
      const changing = change(browser, CLAVE);
      await hashing.reached;
      await wrongLogins(raced!, 5);
      hashing.release();
      const refused = await changing;
      assert.match(refused.body, /CLV-04[01]/);
      assert.deepEqual(await account(raced!), { ...before, status: 'locked' }, 'not unlocked, and not given the new clave');
      assert.equal((await login(raced!.affiliate.cedula, NEW_CLAVE)).statusCode, 423);
    });

    test('an account locked by "No fui yo" answers as an unknown cédula does, until the fifth attempt', async () => {
      await clave.settle();
      const notice = clave.catcher!.list().find((mail) => mail.to.includes(disavowed!.affiliate.correo!) && /no-fui-yo/.test(mail.text))!;
      const token = /no-fui-yo\?token=([A-Za-z0-9_-]{43})/.exec(notice.text)![1]!;
      const browser = new PageClient(clave.web);
      const pressed = await browser.submit(`/clave/no-fui-yo?token=${token}`, { token }, `/clave/no-fui-yo?token=${token}`);
      assert.match((await browser.get(pressed.headers.location!)).body, /Bloqueamos su cuenta/);
      for (let attempt = 1; attempt <= 6; attempt++) {
        const locked = await login(disavowed!.affiliate.cedula, CLAVE);
        const unknown = await login(UNKNOWN_CEDULA, CLAVE);
        assert.equal(locked.statusCode, unknown.statusCode, `attempt ${attempt}`);
        assert.equal(locked.body, unknown.body, `attempt ${attempt}`);
        assert.equal(locked.json().error.code, attempt < 5 ? 'CLV-041' : 'CLV-040');
      }
    });

    test('a sign-in that verified the hash a re-hash has just replaced still opens its session', async () => {
      const older = createPasswordHasher({ memoryKib: 8192, iterations: 1, parallelism: 1 });
      const stale = await older.hash(CLAVE);
      await clave.db.query("INSERT INTO accounts (cedula, status, password_hash) VALUES ($1, 'active', $2)", [upgraded!.affiliate.cedula, stale]);
      const verifying = gate.holdNext('verify');
      const first = login(upgraded!.affiliate.cedula, CLAVE);
      await verifying.reached;
      assert.equal((await login(upgraded!.affiliate.cedula, CLAVE)).statusCode, 201);
      await clave.settle();
      assert.notEqual((await account(upgraded!)).password_hash, stale, 'hashed again under the current settings');
      verifying.release();
      assert.equal((await first).statusCode, 201, 'the hash it verified was replaced, not the clave');
      assert.equal((await login(upgraded!.affiliate.cedula, CLAVE)).statusCode, 201);
      const [{ columns }] = (await clave.db.query<{ columns: string[] }>("SELECT array_agg(column_name::text) AS columns FROM information_schema.columns WHERE table_name = 'accounts'")) as [{ columns: string[] }];
      assert.ok(!columns.some((column) => /hash/.test(column) && column !== 'password_hash'), 'the replaced, weaker hash is not kept anywhere');
    });

    test('sign-ins to one account at the same moment each open a session (no deadlock, no 500)', async () => {
      // As many as the lockout lets through at once: each attempt is counted before its clave is checked.
      const answers = await Promise.all(Array.from({ length: 5 }, () => login(upgraded!.affiliate.cedula, CLAVE)));
      assert.deepEqual(answers.map((answer) => answer.statusCode), Array(5).fill(201));
    });
  });
}
