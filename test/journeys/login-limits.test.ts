import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { backends } from '../support/backends.ts';
import { startTestClave } from '../support/clave.ts';
import { giveClave, loadDemoRegistry, UNKNOWN_CEDULA, verifiedPeople } from '../support/journey.ts';
import { PageClient } from '../support/browserless.ts';

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
      const page = await new PageClient(clave.web).submit('/ingresar', { cedula: UNKNOWN_CEDULA, clave: 'x' });
      assert.equal(page.statusCode, 429);
      assert.match(page.body, /CLV-043/);
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
