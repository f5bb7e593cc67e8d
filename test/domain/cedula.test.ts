import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  cedulaCheckDigit,
  checkCedula,
  isValidCedula,
  maskCedula,
  maskCedulasInText,
  normaliseCedulaInput,
} from '../../src/domain/cedula.ts';

const vectors = JSON.parse(readFileSync(new URL('../../../shared/testdata/cedulas.json', import.meta.url), 'utf8')) as {
  valid: string[];
  invalid: { value: string; rule: string }[];
};

test('every valid vector is accepted', () => {
  for (const value of vectors.valid) assert.equal(isValidCedula(value), true, value);
});

test('every invalid vector is rejected for its rule', () => {
  const expected: Record<string, string> = {
    'check digit': 'check-digit',
    'province 25 does not exist': 'province',
    'province 00 does not exist': 'province',
    '9 digits': 'length',
    '11 digits': 'length',
    'not all digits': 'digits',
    empty: 'empty',
  };
  for (const { value, rule } of vectors.invalid) {
    const check = checkCedula(value);
    assert.equal(check.ok, false, value);
    const problem = expected[rule] ?? (rule.startsWith('check digit') ? 'check-digit' : undefined);
    if (!check.ok) assert.equal(check.problem, problem, `${value}: ${rule}`);
  }
});

test('province 30 and the third digit 6 are accepted', () => {
  const firstNine = '300000000';
  assert.equal(isValidCedula(firstNine + cedulaCheckDigit(firstNine)), true);
  assert.equal(isValidCedula('0962467429'), true);
});

/** A small deterministic generator so the property test is repeatable. */
function* pseudoRandom(seed: number): Generator<number> {
  let state = seed;
  for (;;) {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    yield state;
  }
}

test('changing any one digit of a valid cédula is rejected unless the check still holds', () => {
  const random = pseudoRandom(42);
  let checked = 0;
  for (let n = 0; n < 300; n++) {
    const province = String((random.next().value % 24) + 1).padStart(2, '0');
    const body = String(random.next().value % 10_000_000).padStart(7, '0');
    const firstNine = province + body;
    const cedula = firstNine + cedulaCheckDigit(firstNine);
    assert.equal(isValidCedula(cedula), true, cedula);
    for (let position = 0; position < 10; position++) {
      for (let digit = 0; digit <= 9; digit++) {
        if (String(digit) === cedula[position]) continue;
        const changed = cedula.slice(0, position) + digit + cedula.slice(position + 1);
        const provinceCode = Number(changed.slice(0, 2));
        const provinceOk = (provinceCode >= 1 && provinceCode <= 24) || provinceCode === 30;
        const checkOk = cedulaCheckDigit(changed.slice(0, 9)) === Number(changed[9]);
        assert.equal(isValidCedula(changed), provinceOk && checkOk, changed);
        checked++;
      }
    }
  }
  assert.ok(checked > 20_000);
});

test('a single changed digit in positions 1-9 never keeps the same check digit by accident of the weights', () => {
  // With weights 2 and 1 and the "minus 9" fold, each digit maps to a distinct residue,
  // so a single substitution always changes the sum mod 10.
  const firstNine = '171003406';
  const original = cedulaCheckDigit(firstNine);
  for (let position = 0; position < 9; position++) {
    for (let digit = 0; digit <= 9; digit++) {
      if (String(digit) === firstNine[position]) continue;
      const changed = firstNine.slice(0, position) + digit + firstNine.slice(position + 1);
      assert.notEqual(cedulaCheckDigit(changed), original, changed);
    }
  }
});

test('masking keeps two digits at each end', () => {
  assert.equal(maskCedula('1710034065'), '17******65');
  assert.equal(maskCedulasInText('cedula=1710034065 at 1732400000000'), 'cedula=17******65 at 1732400000000');
  assert.equal(normaliseCedulaInput(' 171003406-5 '), '1710034065');
  assert.equal(normaliseCedulaInput('1710.034.065'), '1710034065');
  assert.equal(normaliseCedulaInput('171003406\u20135'), '1710034065', 'an en dash, as a word processor writes it');
  assert.equal(normaliseCedulaInput('1710\u00a0034\u00a0065'), '1710034065');
  assert.equal(normaliseCedulaInput('171003406,5'), '171003406,5', 'anything else stays, to be refused');
});
