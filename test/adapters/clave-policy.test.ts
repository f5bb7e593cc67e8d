import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createClavePolicy } from '../../src/adapters/clave-policy/index.ts';
import { checkPassword } from '../../src/domain/password-policy.ts';

const personal = { cedula: '1710034065', nombres: 'José Luis', apellidos: 'Pérez Del Pozo', fechaNacimiento: '1985-03-15', instituteName: 'Instituto Ecuatoriano de Seguridad Social' };
const settings = { minLength: 8, classesBelow: 15 };
const QUEUE_LIMIT = 100;
const claves: [string, string][] = [
  ['tigre-Nube-87-calle', 'tigre-Nube-87-calle'],
  ['corto', 'corto'],
  ['P@ssw0rd2024!', 'P@ssw0rd2024!'],
  ['JoseLuis1985!x', 'JoseLuis1985!x'],
  ['Ñandú-verde-42-río', 'Ñandú-verde-42-rio'],
  ['a'.repeat(129), 'a'.repeat(129)],
  ['', ''],
  ['<script>alert(1)</script>', "'; DROP TABLE accounts; --"],
];

test('on worker threads, every verdict is the one the policy gives on the event loop', async () => {
  const policy = createClavePolicy({ workers: 2, timeoutMs: 5_000, queueLimit: QUEUE_LIMIT });
  try {
    // All at once: answers must come back to the right caller, whichever thread ran them.
    const answers = await Promise.all(claves.map(([password, confirmation]) => policy.check(password, confirmation, personal, settings)));
    assert.deepEqual(answers, claves.map(([password, confirmation]) => checkPassword(password, confirmation, personal, settings)));
    assert.ok(answers.some((answer) => answer.violations.length === 0) && answers.some((answer) => answer.violations.includes('CLV-033')));
  } finally {
    await policy.close();
  }
});

test('with 0 workers the policy runs on the event loop with the same verdicts', async () => {
  const policy = createClavePolicy({ workers: 0, timeoutMs: 5_000, queueLimit: QUEUE_LIMIT });
  for (const [password, confirmation] of claves) assert.deepEqual(await policy.check(password, confirmation, personal, settings), checkPassword(password, confirmation, personal, settings));
  await policy.close();
});
