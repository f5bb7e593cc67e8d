import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { createLogger, loggableUrl } from '../../src/adapters/logger.ts';

function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { lines, logger: createLogger('info', stream) };
}

test('cédulas are masked wherever they appear; secrets are dropped', () => {
  const { lines, logger } = capture();
  logger.info({ cedula: '1710034065', password: 'Secreta.123', body: { token: 'abc', answers: { q1: 'x' } } }, 'inicio para 0926687856');
  const text = lines.join('');
  assert.doesNotMatch(text, /1710034065|0926687856|Secreta|"abc"|q1/);
  assert.match(text, /17\*\*\*\*\*\*65/);
  assert.match(text, /09\*\*\*\*\*\*56/);
  assert.match(text, /"time":\d{13}/, 'timestamps are not mistaken for cédulas');
});

test('request URLs lose their query string (links carry tokens there)', () => {
  assert.equal(loggableUrl('/clave/continuar?token=abc'), '/clave/continuar?…');
  assert.equal(loggableUrl('/'), '/');
});
