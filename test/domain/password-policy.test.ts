import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  checkPassword,
  impersonalViolations,
  noPersonalData,
  passwordPractices,
  PASSWORD_MAX_LENGTH,
  type PasswordPolicySettings,
  type PersonalData,
} from '../../src/domain/password-policy.ts';

const settings: PasswordPolicySettings = { minLength: 8, classesBelow: 15 };

const persona: PersonalData = {
  cedula: '1710034065',
  nombres: 'José Andrés',
  apellidos: 'Pérez del Pozo',
  fechaNacimiento: '1985-03-15',
  instituteName: 'Instituto Ecuatoriano de Seguridad Social',
};

/** No personal data, long, varied and not in any dictionary: the base of most cases. */
const STRONG = 'tigre-Nube-87-calle';

function violations(password: string, options: { confirmation?: string; personal?: PersonalData; settings?: PasswordPolicySettings } = {}) {
  return checkPassword(password, options.confirmation ?? password, options.personal ?? persona, options.settings ?? settings)
    .violations;
}

/** A deterministic string of `length` code points that zxcvbn cannot guess. */
function randomLooking(length: number): string {
  const alphabet = 'abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789#%&*+=?@';
  let seed = 12345;
  let out = '';
  for (let i = 0; i < length; i++) {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    out += alphabet[seed % alphabet.length];
  }
  return out;
}

test('a strong random-looking password has no violations', () => {
  assert.deepEqual(violations(STRONG), []);
  assert.deepEqual(violations('correct horse battery staple'), []);
});

test('CLV-030 alone: too short for the configured minimum', () => {
  assert.deepEqual(violations(STRONG, { settings: { minLength: 20, classesBelow: 15 } }), ['CLV-030']);
  assert.deepEqual(violations(STRONG, { settings: { minLength: 19, classesBelow: 15 } }), []);
});

test('CLV-031 alone: fewer than 3 classes below the threshold', () => {
  assert.deepEqual(violations('xq7vbn3kpz9wrt'), ['CLV-031']);
});

test('CLV-032 alone: personal data', () => {
  assert.deepEqual(violations(`${STRONG}-jose`), ['CLV-032']);
});

test('CLV-033 alone: common passwords, Spanish words and local favourites', () => {
  assert.deepEqual(violations('Password123!'), ['CLV-033']);
  assert.deepEqual(violations('Contraseña1'), ['CLV-033']);
  assert.deepEqual(violations('Ecuador2024!'), ['CLV-033']);
  assert.deepEqual(violations('Quito2024!'), ['CLV-033']);
  assert.deepEqual(violations('P@ssw0rd!!'), ['CLV-033']);
});

test('CLV-035 alone: confirmation differs', () => {
  assert.deepEqual(violations(STRONG, { confirmation: `${STRONG} ` }), ['CLV-035']);
  assert.deepEqual(violations(STRONG, { confirmation: '' }), ['CLV-035']);
});

test('several violations at once, in code order, without duplicates', () => {
  assert.deepEqual(violations('abc'), ['CLV-030', 'CLV-031', 'CLV-033']);
  assert.deepEqual(violations('abc', { confirmation: 'abd' }), ['CLV-030', 'CLV-031', 'CLV-033', 'CLV-035']);
  assert.deepEqual(violations('jose', { confirmation: 'José' }), ['CLV-030', 'CLV-031', 'CLV-032', 'CLV-033', 'CLV-035']);
  assert.deepEqual(violations(''), ['CLV-030', 'CLV-031', 'CLV-033']);
});

test('NFC: composed and decomposed "Ñandú" are the same clave', () => {
  const composed = 'Ñandú-verde-42'.normalize('NFC');
  const decomposed = composed.normalize('NFD');
  assert.notEqual(composed, decomposed);
  assert.deepEqual(violations(composed, { confirmation: decomposed }), []);
  const check = checkPassword(decomposed, composed, persona, settings);
  assert.equal(check.password, composed);
  assert.deepEqual(check.violations, []);
});

test('length is counted in code points after NFC, not UTF-16 units', () => {
  // 7 emoji are 14 UTF-16 units but 7 characters.
  assert.ok(violations('😀'.repeat(7)).includes('CLV-030'));
  assert.ok(!violations('😀'.repeat(8)).includes('CLV-030'));
  // 7 decomposed "ñ" are 14 code points before NFC, 7 after.
  assert.ok(violations('n\u0303'.repeat(7)).includes('CLV-030'));
  assert.ok(!violations('😀'.repeat(PASSWORD_MAX_LENGTH)).includes('CLV-030'));
  assert.ok(violations('😀'.repeat(PASSWORD_MAX_LENGTH + 1)).includes('CLV-030'));
});

test('128 characters are accepted, 129 are CLV-030, and nothing is truncated', () => {
  assert.equal(PASSWORD_MAX_LENGTH, 128);
  assert.deepEqual(violations(randomLooking(128)), []);
  assert.deepEqual(violations(randomLooking(129)), ['CLV-030']);
  assert.equal(checkPassword(randomLooking(129), '', persona, settings).password, randomLooking(129));
});

test('a 1 MB string does not throw, returns only CLV-030 and skips zxcvbn', { timeout: 20_000 }, () => {
  // Guessable ("aaaa…") and containing personal data: only its length is judged.
  const huge = 'a'.repeat(1 << 20);
  const check = checkPassword(huge, huge, persona, settings);
  assert.deepEqual(check.violations, ['CLV-030']);
  assert.equal(check.password.length, 1 << 20);
  const hugeWithCedula = `${huge}1710034065`;
  assert.deepEqual(violations(hugeWithCedula, { confirmation: huge }), ['CLV-030', 'CLV-035']);
});

test('over the maximum length the personal data is not looked at: one clave cannot test a century of birth dates', () => {
  const everyBirthDate = Array.from({ length: 100 }, (_, i) => `15-03-${1920 + i}`).join(' ');
  assert.deepEqual(violations(everyBirthDate), ['CLV-030'], 'the birth date is among them, and nothing says so');
  assert.deepEqual(violations(`Tarde-15-03-1985-${'x'.repeat(110)}`), ['CLV-032'], 'within the limit it is judged in full');
});

test('classesBelow = 0 turns the variety rule off', () => {
  assert.deepEqual(violations('xq7vbn3kpz9wrt', { settings: { minLength: 8, classesBelow: 0 } }), []);
});

test('passphrases of classesBelow characters or more are exempt from the variety rule', () => {
  assert.deepEqual(violations('xqvbnkpzwrtmhg'), ['CLV-031']); // 14, lowercase only
  assert.deepEqual(violations('xqvbnkpzwrtmhgd'), []); // 15
  assert.deepEqual(violations('xqvbnkpzwrtmhgd', { settings: { minLength: 8, classesBelow: 16 } }), ['CLV-031']);
});

test('character classes use Unicode properties; spaces are symbols', () => {
  assert.ok(violations('ÁRBOLñandú').includes('CLV-031')); // upper + lower
  assert.ok(!violations('ÁRBOLñandú٣').includes('CLV-031')); // + Arabic-Indic digit
  assert.ok(!violations('ÁRBOLES-٣').includes('CLV-031')); // upper + symbol + digit, not 2 symbols
  assert.ok(!violations('ÁRBOL ñandú').includes('CLV-031')); // + space
  assert.ok(!violations('ÁRBOLñandú€').includes('CLV-031')); // + symbol
});

test('personal data: the cédula and any 6 consecutive digits of it', () => {
  assert.deepEqual(violations(`${STRONG}1710034065`), ['CLV-032']);
  assert.deepEqual(violations(`${STRONG}034065`), ['CLV-032']);
  assert.deepEqual(violations(`171003${STRONG}`), ['CLV-032']);
  assert.deepEqual(violations(`${STRONG}171003-4065`), ['CLV-032']);
  assert.deepEqual(violations(`${STRONG}34065`), []); // only 5 digits
  assert.deepEqual(violations(`${STRONG}034066`), []); // not a run of the cédula
});

test('personal data: the birth date in common formats', () => {
  for (const date of ['19850315', '15031985', '15/03/1985', '15-03-1985', '15.03.1985', '1985-03-15', '150385', '15marzo1985', '15-Mar-85']) {
    assert.deepEqual(violations(`${STRONG}${date}`), ['CLV-032'], date);
  }
  const unpadded: PersonalData = { ...persona, fechaNacimiento: '1985-03-05' };
  assert.deepEqual(violations(`${STRONG}5/3/1985`, { personal: unpadded }), ['CLV-032']);
  assert.deepEqual(violations(`${STRONG}05/03/1985`, { personal: unpadded }), ['CLV-032']);
  assert.deepEqual(violations(`${STRONG}16/03/1985`), []); // someone else's birthday
});

test('personal data: given names and surnames, accent- and case-insensitive', () => {
  assert.deepEqual(violations(`${STRONG}-jose`), ['CLV-032']); // data has "José"
  assert.deepEqual(violations(`${STRONG}-ANDRES`), ['CLV-032']);
  assert.deepEqual(violations(`${STRONG}-pérez`), ['CLV-032']);
  assert.deepEqual(violations(`${STRONG}-Pozo`), ['CLV-032']);
  const plain: PersonalData = { ...persona, nombres: 'Andres', apellidos: 'Perez' };
  assert.deepEqual(violations(`${STRONG}-Andrés`, { personal: plain }), ['CLV-032']);
  // "del" is a particle, and names under 3 letters are not checked.
  assert.deepEqual(violations(`${STRONG}-del`), []);
  const short: PersonalData = { ...persona, nombres: 'Li', apellidos: 'Wu Ng' };
  assert.deepEqual(violations(`${STRONG}-li-wu`, { personal: short }), []);
});

test("personal data: the institute's name, its long words and its acronym", () => {
  assert.deepEqual(violations(`${STRONG}-seguridad`), ['CLV-032']);
  assert.deepEqual(violations(`${STRONG}-Ecuatoriano`), ['CLV-032']);
  assert.deepEqual(violations(`${STRONG}-IESS`), ['CLV-032']);
  assert.deepEqual(violations('InstitutoEcuatorianoDeSeguridadSocial9!'), ['CLV-032']);
  const acronymOnly: PersonalData = { ...persona, instituteName: 'IESS' };
  assert.deepEqual(violations(`${STRONG}-iess`, { personal: acronymOnly }), ['CLV-032']);
  assert.deepEqual(violations(`${STRONG}-seguridad`, { personal: acronymOnly }), []);
  assert.deepEqual(violations('MiIESS-tarde-93'), ['CLV-032'], 'at the end of a word, from 4 letters');
});

test('an acronym counts only as a word of its own: ordinary words that contain its letters are not personal data', () => {
  const iss: PersonalData = { ...persona, instituteName: 'Instituto de Seguridad Social' };
  assert.deepEqual(violations('Clave-ISS-tarde-93', { personal: iss }), ['CLV-032']);
  assert.deepEqual(violations('iss2024-Tarde-cerro', { personal: iss }), ['CLV-032']);
  assert.deepEqual(violations('I.S.S.-Tarde-cerro-93', { personal: iss }), ['CLV-032'], 'spelt letter by letter');
  for (const ordinary of ['gris sombra lento', 'Missouri-Kangaroo-Tulip', 'Mississippi-Lago-47']) {
    assert.deepEqual(violations(ordinary, { personal: iss }), [], `a walker's clave refused for "iss": ${ordinary}`);
  }
  // From 4 letters an acronym is rare enough inside words, and people write it every way.
  for (const written of ['I.E.S.S.2024quito', 'I-E-S-S-Quito-77', 'I E S S Cuenca 2024', 'ElIESSmio-77']) {
    assert.ok(violations(written).includes('CLV-032'), written);
  }
});

test('input far beyond any clave is refused as too long before it is normalised (its cost grows faster than its length)', () => {
  const marks = `a${'\u0301'.repeat(15_000)}${'\u0316'.repeat(15_000)}`;
  const check = checkPassword(marks, marks, persona, settings);
  assert.deepEqual(check.violations, ['CLV-030']);
  assert.equal(check.password, marks, 'as typed: never hashed, never cut');
  assert.equal(check.score, null);
  assert.deepEqual(checkPassword(STRONG, marks, persona, settings).violations, ['CLV-035']);
  assert.deepEqual(impersonalViolations(marks, STRONG, settings), ['CLV-030', 'CLV-035']);
  assert.deepEqual(passwordPractices(marks, settings), { length: false, variety: true });
});

test('passwordPractices: the cheap checks for the live checklist', () => {
  assert.deepEqual(passwordPractices('abc', settings), { length: false, variety: false });
  assert.deepEqual(passwordPractices('abcdefgh', settings), { length: true, variety: false });
  assert.deepEqual(passwordPractices('Abcdefg1', settings), { length: true, variety: true });
  assert.deepEqual(passwordPractices('abcdefghijklmno', settings), { length: true, variety: true });
  assert.deepEqual(passwordPractices('abcdefgh', { minLength: 8, classesBelow: 0 }), { length: true, variety: true });
  assert.deepEqual(passwordPractices('😀'.repeat(129), settings), { length: false, variety: true });
  assert.deepEqual(passwordPractices('n\u0303'.repeat(7), settings), { length: false, variety: false });
});

test('impersonalViolations says exactly what checkPassword says of length, variety and confirmation, and nothing of the person', () => {
  const impersonal = new Set(['CLV-030', 'CLV-031', 'CLV-035']);
  const claves = ['', 'corta', 'Ab1!', 'minusculas-solo', 'todo en minusculas largo', STRONG, 'pérez-1985-Lago', `${persona.cedula}-Lago-Azul`, '15031985abcdefgh', randomLooking(PASSWORD_MAX_LENGTH + 1)];
  for (const clave of claves) {
    for (const confirmation of [clave, `${clave}x`]) {
      const full = checkPassword(clave, confirmation, persona, settings).violations.filter((code) => impersonal.has(code));
      assert.deepEqual(impersonalViolations(clave, confirmation, settings), full, JSON.stringify([clave, confirmation]));
    }
  }
  assert.deepEqual(impersonalViolations(`${persona.cedula}-Pérez-15031985`, `${persona.cedula}-Pérez-15031985`, settings), [], 'personal data is not its business');
});

test("the score the live meter shows: zxcvbn's 0–4, the lower of the clave's readings, below 3 exactly when CLV-033", () => {
  const scored = (password: string) => checkPassword(password, password, persona, settings);
  for (const password of ['Password123!', 'Ecuador2024!', 'Contraseña1', STRONG, randomLooking(20), 'caballo-Azul']) {
    const { score, violations: found } = scored(password);
    assert.ok(score !== null && score >= 0 && score <= 4, `${password}: ${score}`);
    assert.equal(found.includes('CLV-033'), score < 3, `${password}: score ${score}, ${found.join(' ')}`);
  }
  assert.ok(scored('Ecuador2024!').score! < 3, 'scored again without its edge symbols: the lower reading counts');
  assert.equal(scored(STRONG).score! >= 3, true);
  assert.equal(scored('x'.repeat(PASSWORD_MAX_LENGTH + 1)).score, null, 'too long to score: CLV-030 says what to fix');
});

test("noPersonalData: the institute's name still counts, nobody's name, cédula or birth date does", () => {
  const nobody = noPersonalData(persona.instituteName);
  const found = (password: string) => checkPassword(password, password, nobody, settings).violations;
  assert.deepEqual(found('Perez-Tarde-93-cerro'), [], "a surname is not known, so not refused (nor told)");
  assert.deepEqual(found('tarde-1710034065-Cerro'), []);
  assert.deepEqual(found('Tarde-Ecuatoriano-93'), ['CLV-032'], "the institute's name is nobody's secret");
  assert.deepEqual(violations('Perez-Tarde-93-cerro'), ['CLV-032'], 'with the person, the surname is refused');
});
