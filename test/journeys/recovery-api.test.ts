import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { backends } from '../support/backends.ts';
import { startTestClave, type TestClave } from '../support/clave.ts';
import { testClock, MINUTE } from '../support/clock.ts';
import { apiCaptcha, birthOf, correctAnswers, loadDemoRegistry, mailablePeople, mailedToken, UNKNOWN_CEDULA, unverifiedPerson, verifiedPeople } from '../support/journey.ts';
import { createPasswordHasher } from '../../src/adapters/password-hasher.ts';
import type { DemoAffiliate } from '../../src/adapters/registry/demo-registry.ts';

const STRONG = 'tigre-Nube-87-calle';

for (const backend of backends()) {
  describe(`Generar and Recuperar through API v1 on ${backend.name}`, () => {
    let clave: TestClave;
    const clock = testClock();
    const people = verifiedPeople();
    const [ana, berta, carla] = people as [DemoAffiliate, DemoAffiliate, DemoAffiliate];

    before(async () => {
      clave = await startTestClave(backend, { CAPTCHA_MAX_NUMBER: '1000' }, { clock: clock.now });
      await loadDemoRegistry(clave);
    });
    after(async () => clave.dispose());

    const post = (url: string, payload: object, headers: Record<string, string> = {}) => clave.web.inject({ method: 'POST', url, payload, headers });

    async function startFlow(cedula: string, kind = 'recover') {
      const response = await post('/api/v1/flows', { kind, cedula, captcha: await apiCaptcha(clave) });
      assert.equal(response.statusCode, 201, response.body);
      return response.json() as { flowId: string; questions: { id: string; options: { id: string }[] }[] };
    }

    async function identity(flowId: string, body: object) {
      const response = await post(`/api/v1/flows/${flowId}/identity`, body);
      assert.equal(response.statusCode, 202, response.body);
      assert.deepEqual(response.json(), { step: 'check_email' });
    }

    async function verifyIdentity(person: DemoAffiliate, kind = 'recover') {
      const flow = await startFlow(person.affiliate.cedula, kind);
      await identity(flow.flowId, { ...birthOf(person), answers: await correctAnswers(clave, person) });
      return flow;
    }

    async function mailsTo(address: string) {
      await clave.settle();
      return clave.catcher!.list().filter((mail) => mail.to.includes(address));
    }

    async function redeem(token: string) {
      return post('/api/v1/tokens/redeem', { token });
    }

    async function setPassword(flowId: string, resetToken: string, password: string, confirmation = password) {
      return post(`/api/v1/flows/${flowId}/password`, { password, confirmation }, { authorization: `Bearer ${resetToken}` });
    }

    test('correct answers → link by mail → new clave → the clave works; the owner is told', async () => {
      clock.advance(2 * MINUTE);
      const flow = await verifyIdentity(ana, 'generate');
      const token = await mailedToken(clave, ana.affiliate.correo!);
      const redeemed = await redeem(token);
      assert.equal(redeemed.statusCode, 200, redeemed.body);
      assert.equal(redeemed.json().step, 'set_password');
      const done = await setPassword(flow.flowId, redeemed.json().resetToken, STRONG);
      assert.deepEqual(done.json(), { step: 'done' });
      const [account] = await clave.db.query<{ status: string; password_hash: string }>('SELECT status, password_hash FROM accounts WHERE cedula = $1', [ana.affiliate.cedula]);
      assert.equal(account?.status, 'active');
      const hasher = createPasswordHasher({ memoryKib: 19_456, iterations: 2, parallelism: 1 });
      assert.equal(await hasher.verify(account!.password_hash, STRONG), true);
      const notice = (await mailsTo(ana.affiliate.correo!)).find((mail) => /fue creada/.test(mail.subject));
      assert.ok(notice, 'a notice that the clave was created');
      assert.match(notice.text, /no-fui-yo\?token=/);
    });

    test('wrong answers → 202 and a CLV-010 notice, no link', async () => {
      clock.advance(2 * MINUTE);
      const before = (await mailsTo(berta.affiliate.correo!)).length;
      const flow = await startFlow(berta.affiliate.cedula);
      const wrong = Object.fromEntries(flow.questions.map((q) => [q.id, 'none']));
      await identity(flow.flowId, { birthDay: 1, birthMonth: 1, answers: wrong });
      const mails = await mailsTo(berta.affiliate.correo!);
      assert.equal(mails.length, before + 1);
      assert.match(mails[0]!.subject, /CLV-010/);
      assert.match(mails[0]!.text, /Le quedan 2 intentos/);
      assert.doesNotMatch(mails[0]!.text, /token=/);
    });

    test('unknown and unverified cédulas → the same 202, and nothing is sent', async () => {
      const sentBefore = clave.catcher!.list().length;
      const unknown = await startFlow(UNKNOWN_CEDULA);
      await identity(unknown.flowId, { birthDay: 1, birthMonth: 1, answers: Object.fromEntries(unknown.questions.map((q) => [q.id, q.options[0]!.id])) });
      const unverified = unverifiedPerson();
      const flow = await startFlow(unverified.affiliate.cedula);
      await identity(flow.flowId, { ...birthOf(unverified), answers: Object.fromEntries(flow.questions.map((q) => [q.id, 'none'])) });
      await clave.settle();
      assert.equal(clave.catcher!.list().length, sentBefore);
    });

    test('the 3rd failure in 24 h is told once (CLV-011); the 4th attempt is not evaluated even when right', async () => {
      const address = carla.affiliate.correo!;
      for (let attempt = 1; attempt <= 3; attempt++) {
        clock.advance(2 * MINUTE);
        const flow = await startFlow(carla.affiliate.cedula);
        await identity(flow.flowId, { birthDay: 1, birthMonth: 1, answers: Object.fromEntries(flow.questions.map((q) => [q.id, 'none'])) });
      }
      const mails = await mailsTo(address);
      assert.deepEqual(mails.map((m) => /CLV-0\d\d/.exec(m.subject)?.[0]).sort(), ['CLV-010', 'CLV-010', 'CLV-011']);
      const blocked = mails.find((m) => m.subject.includes('CLV-011'))!;
      assert.match(blocked.text, /no revisaremos más respuestas para su cédula, aunque sean correctas, ni le enviaremos enlaces/, 'says why a right answer now will not bring a link');
      assert.match(blocked.text, /Si no fue usted, no tiene que hacer nada/, 'and reassures, as CLV-010 does');
      clock.advance(2 * MINUTE);
      await verifyIdentity(carla);
      assert.equal((await mailsTo(address)).length, 3, 'no link, no further notice');
      clock.advance(24 * 60 * MINUTE);
      await verifyIdentity(carla);
      assert.match((await mailsTo(address))[0]!.subject, /Continúe para recuperar/, 'evaluated again after the window');
    });

    test('links: expired → CLV-020, reused → CLV-021, replaced → CLV-021, tampered or malformed → CLV-022', async () => {
      const person = people[1]!;
      clock.advance(2 * MINUTE);
      await verifyIdentity(person);
      const first = await mailedToken(clave, person.affiliate.correo!);
      clock.advance(2 * MINUTE);
      await verifyIdentity(person);
      const second = await mailedToken(clave, person.affiliate.correo!);
      assert.notEqual(first, second);
      const replaced = await redeem(first);
      assert.equal(replaced.statusCode, 409);
      assert.equal(replaced.json().error.code, 'CLV-021');
      const tampered = await redeem(second.slice(0, -1) + (second.endsWith('A') ? 'B' : 'A'));
      assert.equal(tampered.json().error.code, 'CLV-022');
      assert.equal((await redeem('corto')).json().error.code, 'CLV-022');
      assert.equal((await redeem(12345 as unknown as string)).json().error.code, 'CLV-022');
      clock.advance(16 * MINUTE);
      const expired = await redeem(second);
      assert.equal(expired.statusCode, 410);
      assert.deepEqual(Object.keys(expired.json().error).sort(), ['action', 'cause', 'code', 'message']);
      assert.equal(expired.json().error.code, 'CLV-020');
      clock.advance(2 * MINUTE);
      await verifyIdentity(person);
      const third = await mailedToken(clave, person.affiliate.correo!);
      assert.equal((await redeem(third)).statusCode, 200);
      const reused = await redeem(third);
      assert.equal(reused.json().error.code, 'CLV-021');
    });

    test('a request started before another one got its link still goes on, and its own link replaces that one', async () => {
      const person = mailablePeople(8).find((candidate) => !people.some((p) => p.affiliate.cedula === candidate.affiliate.cedula))!;
      clock.advance(2 * MINUTE);
      const earlier = await startFlow(person.affiliate.cedula, 'generate');
      clock.advance(1000);
      const newer = await startFlow(person.affiliate.cedula, 'recover');
      await identity(earlier.flowId, { ...birthOf(person), answers: await correctAnswers(clave, person) });
      const earlierLink = await mailedToken(clave, person.affiliate.correo!);
      // Another tab, or the app: answered after the earlier request's link went out.
      await identity(newer.flowId, { ...birthOf(person), answers: await correctAnswers(clave, person) });
      const newerLink = await mailedToken(clave, person.affiliate.correo!);
      assert.notEqual(newerLink, earlierLink, 'the newer request got a link of its own');
      assert.equal((await redeem(earlierLink)).json().error.code, 'CLV-021');
      const redeemed = await redeem(newerLink);
      assert.deepEqual(redeemed.json().flowId, newer.flowId);
    });

    /**
     * Two requests of one cédula started in the same millisecond (the clock stands still),
     * as the database ranks them: created_at, then id. A link supersedes the flows ranked
     * before its own, so exactly one of the two can be superseded.
     */
    async function sameMillisecond(person: DemoAffiliate) {
      clock.advance(2 * MINUTE);
      const started = [await startFlow(person.affiliate.cedula), await startFlow(person.affiliate.cedula)];
      const ranked = await clave.db.query<{ id: string; created_at: Date }>('SELECT id, created_at FROM recovery_flows WHERE id = ANY($1::uuid[]) ORDER BY created_at, id', [started.map((flow) => flow.flowId)]);
      assert.equal(ranked[0]!.created_at.getTime(), ranked[1]!.created_at.getTime(), 'started in the same millisecond');
      const stateOf = async (flowId: string) => (await clave.db.query<{ state: string }>('SELECT state FROM recovery_flows WHERE id = $1', [flowId]))[0]!.state;
      const answerRight = async (flowId: string) => post(`/api/v1/flows/${flowId}/identity`, { ...birthOf(person), answers: await correctAnswers(clave, person) });
      return { first: ranked[0]!.id, second: ranked[1]!.id, stateOf, answerRight };
    }

    const sameMillisecondPeople = mailablePeople(12).filter((candidate) => !people.some((p) => p.affiliate.cedula === candidate.affiliate.cedula)).slice(2, 4);

    test('two requests started in the same millisecond: a link for the one ranked second leaves the first at its identity step, whose own link then replaces it', async () => {
      const person = sameMillisecondPeople[0]!;
      const { first, second, stateOf, answerRight } = await sameMillisecond(person);
      assert.equal((await answerRight(second)).statusCode, 202);
      const secondLink = await mailedToken(clave, person.affiliate.correo!);
      assert.deepEqual([await stateOf(first), await stateOf(second)], ['identity', 'check_email']);
      clock.advance(2 * MINUTE);
      assert.equal((await answerRight(first)).statusCode, 202);
      const firstLink = await mailedToken(clave, person.affiliate.correo!);
      assert.notEqual(firstLink, secondLink);
      assert.equal((await redeem(secondLink)).json().error.code, 'CLV-021');
      assert.equal((await redeem(firstLink)).json().flowId, first);
    });

    test("whether a newer request got its link never shows on an older one's page: an affiliate's and an unknown cédula's answer alike", async () => {
      const person = sameMillisecondPeople[0]!;
      const parkedAfterNewerAnswered = async (cedula: string, birth: { birthDay: number; birthMonth: number }) => {
        clock.advance(2 * MINUTE);
        const parked = await startFlow(cedula, 'unlock');
        const newer = await startFlow(cedula, 'unlock');
        assert.equal((await post(`/api/v1/flows/${newer.flowId}/identity`, { ...birth, answers: {} })).statusCode, 202);
        await clave.settle();
        const page = await clave.web.inject({ url: `/clave/flujo/${parked.flowId}/identidad` });
        return { status: page.statusCode, page: page.body.replaceAll(parked.flowId, 'FLOW').replace(/name="_csrf" value="[^"]+"/, '') };
      };
      const affiliate = await parkedAfterNewerAnswered(person.affiliate.cedula, birthOf(person));
      const unknown = await parkedAfterNewerAnswered(UNKNOWN_CEDULA, { birthDay: 1, birthMonth: 1 });
      assert.equal(affiliate.status, 200, 'the older request goes on');
      assert.deepEqual(affiliate, unknown);

      // The older request answered first (waiting for its link), then the newer one: the
      // newer link supersedes it only for a real affiliate, and its page must not say so.
      const answeredThenOvertaken = async (cedula: string, birth: { birthDay: number; birthMonth: number }) => {
        clock.advance(2 * MINUTE);
        const parked = await startFlow(cedula, 'unlock');
        const newer = await startFlow(cedula, 'unlock');
        assert.equal((await post(`/api/v1/flows/${parked.flowId}/identity`, { birthDay: 2, birthMonth: 2, answers: {} })).statusCode, 202);
        clock.advance(2 * MINUTE);
        assert.equal((await post(`/api/v1/flows/${newer.flowId}/identity`, { ...birth, answers: {} })).statusCode, 202);
        await clave.settle();
        const page = await clave.web.inject({ url: `/clave/flujo/${parked.flowId}/identidad` });
        return { status: page.statusCode, to: page.headers.location?.replace(/hasta=\d+/, 'hasta=T') };
      };
      const fresh = mailablePeople(20).filter((candidate) => !people.some((p) => p.affiliate.cedula === candidate.affiliate.cedula)).at(-1)!;
      const overtaken = await answeredThenOvertaken(fresh.affiliate.cedula, birthOf(fresh));
      assert.deepEqual(overtaken, await answeredThenOvertaken(UNKNOWN_CEDULA, { birthDay: 1, birthMonth: 1 }));
      assert.equal(overtaken.status, 303, 'on to "revise su correo", as any answered request');
    });

    test('two requests started in the same millisecond: a link for the one ranked first leaves the second live, and its own link replaces that one', async () => {
      const person = sameMillisecondPeople[1]!;
      const { first, second, stateOf, answerRight } = await sameMillisecond(person);
      assert.equal((await answerRight(first)).statusCode, 202);
      const firstLink = await mailedToken(clave, person.affiliate.correo!);
      assert.deepEqual([await stateOf(first), await stateOf(second)], ['check_email', 'identity']);
      assert.equal((await answerRight(second)).statusCode, 202);
      const secondLink = await mailedToken(clave, person.affiliate.correo!);
      assert.deepEqual([await stateOf(first), await stateOf(second)], ['superseded', 'check_email']);
      assert.equal((await redeem(firstLink)).json().error.code, 'CLV-021');
      assert.equal((await redeem(secondLink)).json().flowId, second);
    });

    test('every clave policy violation is reported with its code, all at once', async () => {
      const person = people[2]!;
      clock.advance(25 * 60 * MINUTE);
      const flow = await verifyIdentity(person);
      const { resetToken } = (await redeem(await mailedToken(clave, person.affiliate.correo!))).json();
      const codes = async (password: string, confirmation = password) => {
        const response = await setPassword(flow.flowId, resetToken, password, confirmation);
        assert.equal(response.statusCode, 422, response.body);
        return response.json().error.violations.map((v: { code: string }) => v.code);
      };
      assert.deepEqual(await codes('Ab1!x'), ['CLV-030', 'CLV-033']);
      assert.ok((await codes('abcdefghijk')).includes('CLV-031'));
      assert.ok((await codes(`Clave-${person.affiliate.cedula}!`)).includes('CLV-032'));
      assert.deepEqual(await codes('Password123!'), ['CLV-033']);
      assert.deepEqual(await codes(STRONG, `${STRONG}x`), ['CLV-035']);
      assert.deepEqual((await setPassword(flow.flowId, resetToken, STRONG)).json(), { step: 'done' });

      clock.advance(2 * MINUTE);
      const again = await verifyIdentity(person);
      const second = (await redeem(await mailedToken(clave, person.affiliate.correo!))).json();
      const reused = await setPassword(again.flowId, second.resetToken, STRONG);
      assert.deepEqual(reused.json().error.violations.map((v: { code: string }) => v.code), ['CLV-034']);
    });

    test('a reset token works once, only for its flow, and not without the Bearer header', async () => {
      const person = people[0]!;
      clock.advance(2 * MINUTE);
      const flow = await verifyIdentity(person);
      const { resetToken } = (await redeem(await mailedToken(clave, person.affiliate.correo!))).json();
      const missing = await post(`/api/v1/flows/${flow.flowId}/password`, { password: 'otra-Frase-larga-42', confirmation: 'otra-Frase-larga-42' });
      assert.equal(missing.json().error.code, 'CLV-050');
      assert.equal((await setPassword(flow.flowId, resetToken, 'otra-Frase-larga-42')).statusCode, 200);
      const again = await setPassword(flow.flowId, resetToken, 'y-otra-Frase-mas-43');
      assert.equal(again.json().error.code, 'CLV-050');
    });

    test('the options never change between attempts; a decoy has the same structure as a real set', async () => {
      const person = people[1]!;
      const seen = [];
      for (let attempt = 0; attempt < 5; attempt++) seen.push((await startFlow(person.affiliate.cedula)).questions);
      for (const questions of seen.slice(1)) assert.deepEqual(questions, seen[0]);
      const decoy = (await startFlow(UNKNOWN_CEDULA)).questions;
      const shape = (questions: { id: string; options: { id: string }[] }[]) =>
        questions.map((q) => ({ id: q.id, options: q.options.length, none: q.options.at(-1)!.id, ids: q.options.map((o) => /^[A-Za-z0-9_-]{10}$|^none$/.test(o.id)) }));
      assert.deepEqual(shape(decoy), shape(seen[0]!));
    });

    test('a new clave changes nothing on the question page: a page that changed would tell an affiliate from a decoy', async () => {
      const person = mailablePeople(10).filter((candidate) => !people.some((p) => p.affiliate.cedula === candidate.affiliate.cedula))[1]!;
      clock.advance(2 * MINUTE);
      const before = (await startFlow(person.affiliate.cedula)).questions;
      const flow = await verifyIdentity(person);
      const { resetToken } = (await redeem(await mailedToken(clave, person.affiliate.correo!))).json();
      assert.equal((await setPassword(flow.flowId, resetToken, 'nueva-Frase-77-larga')).statusCode, 200);
      clock.advance(2 * MINUTE);
      assert.deepEqual((await startFlow(person.affiliate.cedula)).questions, before, 'the same options, order and ids');
    });

    test('a malformed cédula is told at once; a bad or replayed CAPTCHA is refused', async () => {
      const malformed = await post('/api/v1/flows', { kind: 'recover', cedula: '1712345678', captcha: await apiCaptcha(clave) });
      assert.equal(malformed.json().error.code, 'CLV-001');
      const bad = await post('/api/v1/flows', { kind: 'recover', cedula: UNKNOWN_CEDULA, captcha: 'bm8gZXMgdW4gY2FwdGNoYQ==' });
      assert.equal(bad.json().error.code, 'CLV-002');
      const captcha = await apiCaptcha(clave);
      assert.equal((await post('/api/v1/flows', { kind: 'recover', cedula: UNKNOWN_CEDULA, captcha })).statusCode, 201);
      const replay = await post('/api/v1/flows', { kind: 'recover', cedula: UNKNOWN_CEDULA, captcha });
      assert.equal(replay.json().error.code, 'CLV-003');
      const wrongKind = await post('/api/v1/flows', { kind: 'borrar', cedula: UNKNOWN_CEDULA, captcha: await apiCaptcha(clave) });
      assert.equal(wrongKind.statusCode, 422);
    });

    test('a flow past its deadline answers CLV-050', async () => {
      const flow = await startFlow(UNKNOWN_CEDULA);
      clock.advance(31 * MINUTE);
      const late = await post(`/api/v1/flows/${flow.flowId}/identity`, { birthDay: 1, birthMonth: 1, answers: {} });
      assert.equal(late.statusCode, 410);
      assert.equal(late.json().error.code, 'CLV-050');
    });
  });
}
