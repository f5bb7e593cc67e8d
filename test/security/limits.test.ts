import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { backends } from '../support/backends.ts';
import { listenOnLoopback, startTestClave, type TestClave } from '../support/clave.ts';
import { apiCaptcha, birthOf, loadDemoRegistry, mailedToken, UNKNOWN_CEDULA, verifiedPeople } from '../support/journey.ts';

const opened: TestClave[] = [];
after(async () => Promise.all(opened.map((clave) => clave.dispose())));

async function app(env: Record<string, string>): Promise<TestClave> {
  const clave = await startTestClave(backends()[0]!, { CAPTCHA_MAX_NUMBER: '1000', ...env });
  opened.push(clave);
  return clave;
}

describe('limits that keep one client from holding or flooding the service', () => {
  test('a client that sends half a request and goes quiet is cut off', async () => {
    const clave = await app({ HTTP_TIMEOUT: '1s' });
    const base = new URL(await listenOnLoopback(clave));
    const started = Date.now();
    const closedAfter = await new Promise<number>((resolve, reject) => {
      const socket = connect(Number(base.port), base.hostname, () => socket.write('GET / HTTP/1.1\r\nHost: x\r\nX-Slow: '));
      socket.on('close', () => resolve(Date.now() - started));
      socket.on('error', () => undefined);
      setTimeout(() => reject(new Error('the slow client was never cut off')), 10_000).unref();
    });
    assert.ok(closedAfter < 5_000, `closed after ${closedAfter} ms`);
    assert.equal((await fetch(new URL('/healthz', base))).status, 200, 'others are still served');
  });

  test('X-Forwarded-For is not believed by default: it cannot dodge the per-IP throttle', async () => {
    const clave = await app({ LOGIN_ATTEMPTS_PER_IP: '2' });
    const codes = [];
    for (let i = 0; i < 3; i++) {
      const response = await clave.web.inject({ method: 'POST', url: '/api/v1/sessions', headers: { 'x-forwarded-for': `203.0.113.${i}` }, payload: { cedula: UNKNOWN_CEDULA, password: 'x' } });
      codes.push(response.json().error.code);
    }
    assert.deepEqual(codes, ['CLV-041', 'CLV-041', 'CLV-043']);
  });

  test('with TRUST_PROXY set, the forwarded address is the one throttled', async () => {
    const clave = await app({ LOGIN_ATTEMPTS_PER_IP: '2', TRUST_PROXY: '127.0.0.1' });
    const codes = [];
    for (let i = 0; i < 3; i++) {
      const response = await clave.web.inject({ method: 'POST', url: '/api/v1/sessions', headers: { 'x-forwarded-for': `203.0.113.${i}` }, payload: { cedula: UNKNOWN_CEDULA, password: 'x' } });
      codes.push(response.json().error.code);
    }
    assert.deepEqual(codes, ['CLV-041', 'CLV-041', 'CLV-041']);
  });

  test('identity submissions, link redemptions and flow starts per cédula are throttled (CLV-004)', async () => {
    const clave = await app({ IDENTITY_PER_IP: '1', REDEEMS_PER_IP: '2', FLOW_STARTS_PER_CEDULA: '2' });
    const start = async () => clave.web.inject({ method: 'POST', url: '/api/v1/flows', payload: { kind: 'recover', cedula: UNKNOWN_CEDULA, captcha: await apiCaptcha(clave) } });
    const first = await start();
    const second = await start();
    const third = (await start()).json().error;
    assert.equal(third.code, 'CLV-004', 'third start for one cédula');
    assert.doesNotMatch(third.message, /conexión/, 'the limit is the cédula\'s, not the connection\'s');
    assert.match(third.cause, /cédula/);
    // A stranger who used up a cédula's starts holds back only their own network: the owner, elsewhere, can still begin.
    const elsewhere = async (remoteAddress: string) => clave.web.inject({ method: 'POST', url: '/api/v1/flows', remoteAddress, payload: { kind: 'recover', cedula: UNKNOWN_CEDULA, captcha: await apiCaptcha(clave) } });
    assert.equal((await elsewhere('203.0.113.7')).statusCode, 201, 'another network');
    assert.equal((await elsewhere('2001:db8:5::9')).statusCode, 201, 'another network, IPv6');
    assert.equal((await elsewhere('127.0.0.9')).json().error?.code, 'CLV-004', 'the same /24 shares the count');
    assert.equal((await elsewhere('2001:db8:5:1::9')).statusCode, 201, 'a third start from that IPv6 /48: one left');
    assert.equal((await elsewhere('2001:db8:5:2::9')).json().error?.code, 'CLV-004', 'another /64 of the same /48 shares the count');
    const identity = (flowId: string) => clave.web.inject({ method: 'POST', url: `/api/v1/flows/${flowId}/identity`, payload: { birthDay: 1, birthMonth: 1, answers: { q1: 'none', q2: 'none', q3: 'none' } } });
    assert.equal((await identity(first.json().flowId)).statusCode, 202);
    assert.equal((await identity(second.json().flowId)).json().error.code, 'CLV-004');
    const redeem = () => clave.web.inject({ method: 'POST', url: '/api/v1/tokens/redeem', payload: { token: 'x' } });
    assert.equal((await redeem()).json().error.code, 'CLV-022');
    assert.equal((await redeem()).json().error.code, 'CLV-022');
    const refused = await redeem();
    assert.equal(refused.json().error.code, 'CLV-004');
    assert.ok(Number(refused.headers['retry-after']) > 0);
  });

  test('one solved CAPTCHA, replayed, cannot use up a cédula\'s flow starts', async () => {
    const clave = await app({ FLOW_STARTS_PER_CEDULA: '2' });
    const start = (captcha: string) => clave.web.inject({ method: 'POST', url: '/api/v1/flows', payload: { kind: 'recover', cedula: UNKNOWN_CEDULA, captcha } });
    const replayed = await apiCaptcha(clave);
    assert.equal((await start(replayed)).statusCode, 201);
    for (let i = 0; i < 5; i++) assert.equal((await start(replayed)).json().error.code, 'CLV-003', `replay ${i + 1}`);
    const victim = await start(await apiCaptcha(clave));
    assert.equal(victim.statusCode, 201, victim.body);
  });

  test('recovery mail to one address is capped per day, whatever the cédula', async () => {
    const clave = await app({ MAILS_PER_ADDRESS_PER_DAY: '1' });
    await loadDemoRegistry(clave);
    const person = verifiedPeople()[0]!;
    const fail = async () => {
      const started = await clave.web.inject({ method: 'POST', url: '/api/v1/flows', payload: { kind: 'recover', cedula: person.affiliate.cedula, captcha: await apiCaptcha(clave) } });
      await clave.web.inject({ method: 'POST', url: `/api/v1/flows/${started.json().flowId}/identity`, payload: { birthDay: (birthOf(person).birthDay % 28) + 1, birthMonth: 1, answers: { q1: 'none', q2: 'none', q3: 'none' } } });
      await clave.settle();
    };
    await fail();
    await fail();
    assert.equal(clave.catcher!.list().filter((m) => m.to.includes(person.affiliate.correo!)).length, 1);
    await assert.rejects(mailedToken(clave, person.affiliate.correo!), 'no link either');
  });
});
