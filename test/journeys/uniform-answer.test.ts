import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { backends } from '../support/backends.ts';
import { startTestClave, type TestClave } from '../support/clave.ts';
import { apiCaptcha, birthOf, correctAnswers, loadDemoRegistry, UNKNOWN_CEDULA, verifiedPeople } from '../support/journey.ts';
import { PageClient } from '../support/browserless.ts';
import { MINUTE, testClock } from '../support/clock.ts';

const ROUNDS = 200;

/** Everything a client can observe of an answer, minus what differs by time or request. */
function observable(response: { statusCode: number; headers: Record<string, unknown>; body: string }) {
  const { date: _date, ...headers } = response.headers;
  return JSON.stringify({ status: response.statusCode, headers, body: response.body });
}

describe('the identity step answers the same whoever asks', () => {
  let clave: TestClave;
  const [known] = verifiedPeople();

  before(async () => {
    clave = await startTestClave(backends()[0]!, { CAPTCHA_MAX_NUMBER: '1000' });
    await loadDemoRegistry(clave);
  });
  after(async () => clave.dispose());

  test(`API: ${ROUNDS} submissions for a known and ${ROUNDS} for an unknown cédula are byte-identical`, async () => {
    const right = await correctAnswers(clave, known!);
    const seen = new Set<string>();
    for (let round = 0; round < ROUNDS; round++) {
      for (const cedula of [known!.affiliate.cedula, UNKNOWN_CEDULA]) {
        const started = await clave.web.inject({ method: 'POST', url: '/api/v1/flows', payload: { kind: 'recover', cedula, captcha: await apiCaptcha(clave) } });
        const { flowId, questions } = started.json() as { flowId: string; questions: { id: string }[] };
        // The known person alternates right and wrong answers: every outcome must look alike.
        const answers = round % 2 === 0 && cedula !== UNKNOWN_CEDULA ? right : Object.fromEntries(questions.map((q) => [q.id, 'none']));
        const response = await clave.web.inject({ method: 'POST', url: `/api/v1/flows/${flowId}/identity`, payload: { ...birthOf(known!), answers } });
        seen.add(observable(response));
      }
    }
    assert.equal(seen.size, 1, [...seen].join('\n'));
    assert.match([...seen][0]!, /"status":202/);
  });

});

describe('the identity step\'s pages answer the same whoever asks', () => {
  // A stopped clock: the answer carries the link's deadline, which must not differ by outcome, only by time.
  const clock = testClock();
  let clave: TestClave;
  const [known] = verifiedPeople();

  before(async () => {
    clave = await startTestClave(backends()[0]!, { CAPTCHA_MAX_NUMBER: '1000' }, { clock: clock.now });
    await loadDemoRegistry(clave);
  });
  after(async () => clave.dispose());

  test('the identity answer and the page it leads to are identical for right answers, wrong answers and an unknown cédula', async () => {
    const right = await correctAnswers(clave, known!);
    const answersFor = async (cedula: string, fields: Record<string, string>) => {
      const browser = new PageClient(clave.web);
      const started = await browser.submit('/clave/recuperar', { cedula, altcha: await browser.captcha() });
      const sent = await browser.submit(started.headers.location as string, fields);
      const page = await browser.get(sent.headers.location as string);
      return [observable({ ...sent, headers: { location: sent.headers.location } }), page.body];
    };
    const wrong = { birthDay: '1', birthMonth: '1', q1: 'none', q2: 'none', q3: 'none' };
    const { birthDay, birthMonth } = birthOf(known!);
    const fromRight = await answersFor(known!.affiliate.cedula, { birthDay: String(birthDay), birthMonth: String(birthMonth), ...right });
    const fromWrong = await answersFor(known!.affiliate.cedula, wrong);
    const fromUnknown = await answersFor(UNKNOWN_CEDULA, wrong);
    assert.match(fromRight[0]!, /hasta=\d+/, 'the deadline is in the answer');
    assert.deepEqual(fromWrong, fromRight);
    assert.deepEqual(fromUnknown, fromRight);
    // Mail to one cédula goes out at most once a minute: the notice waits for the link's minute to pass.
    clock.advance(2 * MINUTE);
    await clave.settle();
    const mailed = clave.catcher!.list().filter((m) => m.to.includes(known!.affiliate.correo!));
    assert.ok(mailed.some((m) => /continuar\?token=/.test(m.text)), 'the right answers were right: a link went out');
    assert.ok(mailed.some((m) => /CLV-010/.test(m.subject + m.text)), 'the wrong ones were wrong: a notice went out');
  });
});
