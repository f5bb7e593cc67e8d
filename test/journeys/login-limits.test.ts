import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import { demoAffiliate } from '../../src/adapters/registry/demo-registry.ts';
import { cedulaRef } from '../../src/domain/tokens.ts';
import { backends } from '../support/backends.ts';
import { listenOnLoopback, startTestClave } from '../support/clave.ts';
import { giveClave, loadDemoRegistry, UNKNOWN_CEDULA, verifiedPeople } from '../support/journey.ts';
import { PageClient, visibleText } from '../support/browserless.ts';
import { retryTimes } from '../support/clock.ts';

const CLAVE = 'rio-Azul-58-puente';

describe('per-IP login throttle', () => {
  test('one connection cannot keep trying: CLV-043 with Retry-After', async () => {
    const clave = await startTestClave(backends()[0]!, { LOGIN_ATTEMPTS_PER_IP: '3' });
    try {
      const codes = [];
      for (let attempt = 0; attempt < 4; attempt++) {
        const response = await clave.web.inject({ method: 'POST', url: '/api/v1/sessions', payload: { cedula: UNKNOWN_CEDULA, password: 'x' } });
        codes.push(response.json().error.code);
        if (attempt === 3) {
          assert.equal(response.statusCode, 429);
          assert.ok(Number(response.headers['retry-after']) > 0);
        }
      }
      assert.deepEqual(codes, ['CLV-041', 'CLV-041', 'CLV-041', 'CLV-043']);
      const asked = Date.now();
      const page = await new PageClient(clave.web).submit('/ingresar', { cedula: UNKNOWN_CEDULA, clave: 'x' });
      assert.equal(page.statusCode, 429);
      assert.match(page.body, /CLV-043/);
      const told = /Podrá volver a intentarlo a partir de las (\d\d:\d\d) \(hora de Ecuador\)\./.exec(visibleText(page.body))?.[1];
      assert.ok(told && retryTimes(asked, Number(page.headers['retry-after'])).includes(told), `${told} for Retry-After ${page.headers['retry-after']}`);
    } finally {
      await clave.dispose();
    }
  });
});

describe('the wrong-clave answer on the page', () => {
  test('warns, before it happens, after how many failures the account locks (LOGIN_MAX_FAILURES) and what to do instead', async () => {
    const clave = await startTestClave(backends()[0]!, { LOGIN_MAX_FAILURES: '4' });
    try {
      const page = await new PageClient(clave.web).submit('/ingresar', { cedula: UNKNOWN_CEDULA, clave: 'x' });
      assert.equal(page.statusCode, 401);
      assert.match(visibleText(page.body), /CLV-041\)\. Revise las mayúsculas\. Después de 4 intentos fallidos seguidos la cuenta se bloquea: si no recuerda su clave, use Recuperar clave/);
    } finally {
      await clave.dispose();
    }
  });

  // Only an affiliate's count is ever zeroed (a sign-in, an unlock, a new clave): an answer
  // that told the count ("le quedan 3 intentos") would tell affiliates from strangers in two
  // probes with a sign-in between them (a security review's finding).
  test('tells no count of failures: two probes around the owner\'s sign-in read as two probes of an unknown cédula', async () => {
    const clave = await startTestClave(backends()[0]!);
    try {
      await loadDemoRegistry(clave);
      const [owner] = verifiedPeople();
      await giveClave(clave, owner!, CLAVE);
      const probe = async (cedula: string) => {
        const page = await new PageClient(clave.web).submit('/ingresar', { cedula, clave: 'x' });
        const api = await clave.web.inject({ method: 'POST', url: '/api/v1/sessions', payload: { cedula, password: 'x' } });
        return { page: visibleText(/<main[\s\S]*<\/main>/.exec(page.body)![0]).replaceAll(cedula, '<cédula>'), api: api.json() };
      };
      const stranger = [await probe(UNKNOWN_CEDULA), await probe(UNKNOWN_CEDULA)];
      const first = await probe(owner!.affiliate.cedula);
      const signedIn = await clave.web.inject({ method: 'POST', url: '/api/v1/sessions', payload: { cedula: owner!.affiliate.cedula, password: CLAVE } });
      assert.equal(signedIn.statusCode, 201);
      const second = await probe(owner!.affiliate.cedula);
      assert.deepEqual([first, second], stranger);
      assert.doesNotMatch(stranger[1]!.page, /Le queda/);
    } finally {
      await clave.dispose();
    }
  });
});

describe('argon2id overload', () => {
  test('past ARGON2_QUEUE_LIMIT an attempt gets CLV-090 with Retry-After at once, and is not counted', async () => {
    const clave = await startTestClave(backends()[0]!, { ARGON2_CONCURRENCY: '1', ARGON2_QUEUE_LIMIT: '1' });
    try {
      await loadDemoRegistry(clave);
      const [, dora] = verifiedPeople();
      await giveClave(clave, dora!, CLAVE);
      const attempt = (password: string) => clave.web.inject({ method: 'POST', url: '/api/v1/sessions', payload: { cedula: dora!.affiliate.cedula, password } });
      const burst = await Promise.all(Array.from({ length: 6 }, (_, i) => attempt(`mala-${i}`)));
      const shed = burst.filter((response) => response.statusCode === 503);
      assert.ok(shed.length >= 1, 'one runs, one waits, the rest are shed');
      for (const response of shed) {
        assert.equal(response.json().error.code, 'CLV-090');
        assert.equal(response.headers['retry-after'], '5');
      }
      const checked = burst.filter((response) => response.statusCode === 401).length;
      assert.equal(checked + shed.length, 6);
      // Only the checked ones count: LOGIN_MAX_FAILURES − checked − 1 more wrong claves still answer CLV-041.
      for (let i = 0; i < 5 - checked - 1; i++) assert.equal((await attempt(`otra-${i}`)).json().error.code, 'CLV-041');
      assert.equal((await attempt(CLAVE)).statusCode, 201, 'shed attempts did not lock the account');
    } finally {
      await clave.dispose();
    }
  });
});

/** A login over a real connection that the test can hang up on before the answer. */
function loginOverHttp(base: string, cedula: string) {
  const body = JSON.stringify({ cedula, password: 'no-es-la-clave' });
  const sent = httpRequest(`${base}/api/v1/sessions`, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } });
  const status = new Promise<number | 'hung up'>((resolve) => {
    sent.on('response', (response) => {
      response.resume();
      resolve(response.statusCode!);
    });
    sent.on('error', () => resolve('hung up'));
  });
  sent.end(body);
  return { status, hangUp: () => sent.destroy() };
}

describe('a client that hangs up', () => {
  test('an attempt still waiting for argon2id when its client hangs up is dropped, and not counted', async () => {
    const clave = await startTestClave(backends()[0]!, { ARGON2_CONCURRENCY: '1', LOGIN_ATTEMPTS_PER_IP: '100' });
    try {
      const base = await listenOnLoopback(clave);
      const cedulas = Array.from({ length: 12 }, (_, i) => demoAffiliate(5_000 + i).affiliate.cedula);
      const attempts = cedulas.map((cedula) => loginOverHttp(base, cedula));
      // All are claimed by now and wait in argon2id's line of one; a few have been checked.
      await delay(60);
      for (const attempt of attempts.slice(4)) attempt.hangUp();
      assert.deepEqual(await Promise.all(attempts.slice(0, 4).map((attempt) => attempt.status)), [401, 401, 401, 401]);
      // The line is first in, first out: once a later attempt is answered, the earlier ones are done or dropped.
      assert.equal(await loginOverHttp(base, demoAffiliate(6_000).affiliate.cedula).status, 401);
      await clave.settle();

      const dropped = [];
      for (const cedula of cedulas.slice(4)) {
        const ref = cedulaRef(clave.secret, cedula);
        const [count] = await clave.db.query<{ failures: number }>('SELECT failures FROM login_failures WHERE cedula_ref = $1', [ref]);
        const [audited] = await clave.db.query<{ total: number }>("SELECT count(*)::int AS total FROM audit_events WHERE cedula_ref = $1 AND event = 'login'", [ref]);
        assert.ok(count, `${cedula} was claimed before its client hung up`);
        assert.equal(count.failures, audited!.total, `${cedula}: counted exactly when its clave was checked and audited`);
        if (count.failures === 0) dropped.push(cedula);
      }
      assert.ok(dropped.length >= 1, 'attempts still in line when their clients hung up cost no argon2id');
    } finally {
      await clave.dispose();
    }
  });
});
