import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { backends } from '../support/backends.ts';
import { startTestClave, type TestClave } from '../support/clave.ts';
import { apiCaptcha, birthOf, correctAnswers, loadDemoRegistry, UNKNOWN_CEDULA, verifiedPeople } from '../support/journey.ts';
import { PageClient } from '../support/browserless.ts';

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

  test('pages: the identity answer and the page it leads to are identical for a known and an unknown cédula', async () => {
    const answersFor = async (browser: PageClient, cedula: string) => {
      const started = await browser.submit('/clave/recuperar', { cedula, altcha: await browser.captcha() });
      const identityUrl = started.headers.location as string;
      const sent = await browser.submit(identityUrl, { birthDay: '1', birthMonth: '1', q1: 'none', q2: 'none', q3: 'none' });
      const page = await browser.get(sent.headers.location as string);
      return [observable({ ...sent, headers: { location: sent.headers.location } }), page.body];
    };
    const fromKnown = await answersFor(new PageClient(clave.web), known!.affiliate.cedula);
    const fromUnknown = await answersFor(new PageClient(clave.web), UNKNOWN_CEDULA);
    assert.deepEqual(fromUnknown, fromKnown);
  });
});
