import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ZxcvbnFactory, type MatchExtended, type UserInputsOptions } from '@zxcvbn-ts/core';
import { dictionaryMatchers } from '../../src/domain/dictionary-matchers.ts';
import { ZXCVBN_OPTIONS } from '../../src/domain/password-policy.ts';

// The library's own matchers, and the policy's replacements, on the same configuration.
const library = new ZxcvbnFactory(ZXCVBN_OPTIONS);
const ours = new ZxcvbnFactory(ZXCVBN_OPTIONS, dictionaryMatchers);

/** Every match of every matcher, before scoring picks the cheapest sequence (the factory keeps them private). */
function allMatches(factory: ZxcvbnFactory, password: string, userInputs: string[]): MatchExtended[] {
  const inner = factory as unknown as {
    options: { getUserInputsOptions(inputs: string[]): UserInputsOptions };
    matching: { match(password: string, inputs: UserInputsOptions): MatchExtended[] };
  };
  return inner.matching.match(password, inner.options.getUserInputsOptions(userInputs));
}

const PERSONAL = ['jose', 'andres', 'perez', 'pozo', 'josé', 'andrés', 'pérez', '171003', '710034', '100340', '003406', '034065', '19850315', '15031985', 'instituto', 'ecuatoriano', 'seguridad', 'iess'];

const FIXED = [
  '', 'a', 'ab', 'tigre-Nube-87-calle', 'tigre-Nube-87-calle-1', 'correct horse battery staple', 'Password123!', 'P@ssw0rd!!', 'Contraseña1',
  'C0ntr@s3ñ4', 'Ecuador2024!', 'Quito2024!', 'xq7vbn3kpz9wrt', 'xqvbnkpzwrtmhgd', 'unodostres', 'UnoDosTres', 'lunes-martes-miercoles',
  'enero_febrero.marzo', 'ordnajela', 'oirotcev', '|<4rl0s', '()scar!!', '5up3rm4n', 'j0s3p3r3z', 'J0s3-P3r3z-1985', 'Ñandú-verde-42',
  'Ñandú-verde-42'.normalize('NFD'), 'İstanbul2024', 'ÁRBOLñandú٣', '😀'.repeat(8), 'hasOwnProperty1!', '1710034065', '15/03/1985', 'iess-2024', 'aaaaaaaaaaaa', 'abcdefgh', 'qwertyuiop',
  '!!!!!!!!', 'José Andrés Pérez', 'corazón-de-melón-1', 'MURCIELAGO', 'm1c4s4', 'l1br3t4', '4m0r3t3rn0', 'ch1nch1ll4',
];

/** A deterministic generator (LCG), so a failure names a password that can be run again. */
function generator(seed: number) {
  let state = seed;
  const next = (n: number) => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state % n;
  };
  return { next, pick: <T>(list: readonly T[]): T => list[next(list.length)]! };
}

const L33T: Record<string, string[]> = { a: ['4', '@'], e: ['3'], i: ['1', '!'], o: ['0', '()'], s: ['5', '$'], t: ['7', '+'], l: ['1', '|'], k: ['|<'], c: ['(', '<'] };
const SEPARATORS = ['', '', '-', '_', '.', ' ', '/'];

/** Claves as people make them: list words, l33t, capitals, separators, digits, symbols, reversed words. */
function generated(count: number): string[] {
  const random = generator(20261124);
  const lists = Object.values(ZXCVBN_OPTIONS.dictionary ?? {}).filter((list) => list.length > 0);
  const claves: string[] = [];
  for (let n = 0; n < count; n++) {
    const words = Array.from({ length: 1 + random.next(4) }, () => {
      let word = String(random.pick(random.pick(lists)));
      if (random.next(3) === 0) word = [...word].map((char) => (L33T[char] && random.next(2) === 0 ? random.pick(L33T[char]!) : char)).join('');
      if (random.next(3) === 0) word = word.charAt(0).toUpperCase() + word.slice(1);
      if (random.next(6) === 0) word = [...word].reverse().join('');
      return word;
    });
    let clave = words.join(random.pick(SEPARATORS));
    if (random.next(2) === 0) clave += String(random.next(3000));
    if (random.next(3) === 0) clave += random.pick(['!', '*', '#', '.', '?']);
    if (random.next(5) === 0) clave = random.pick(PERSONAL) + random.pick(SEPARATORS) + clave;
    claves.push(clave.slice(0, 256));
  }
  return claves;
}

const LONG = [
  'Nuestra casa en Cuenca tenía un patio con tres limoneros y un perro llamado Canelo que ladraba a las palomas cada mañana',
  'correcto-caballo-bateria-grapa-lunes-martes-enero-rojo-azul-verde-'.repeat(2),
  'p4ssw0rd'.repeat(16),
];

for (const [name, claves] of [
  ['fixed cases (l33t, reversed, word sequences, Unicode)', FIXED],
  ['400 generated claves', generated(400)],
  ['long passphrases up to 128 characters', LONG],
] as const) {
  test(`the fast dictionary matchers find exactly what the library's find: ${name}`, () => {
    for (const clave of claves) {
      for (const userInputs of [[], PERSONAL]) {
        const theirs = allMatches(library, clave, userInputs);
        assert.deepEqual(allMatches(ours, clave, userInputs), theirs, `matches of ${JSON.stringify(clave)}`);
        const { calcTime: _theirTime, ...theirResult } = library.check(clave, userInputs);
        const { calcTime: _ourTime, ...ourResult } = ours.check(clave, userInputs);
        assert.deepEqual(ourResult, theirResult, `result for ${JSON.stringify(clave)}`);
      }
    }
  });
}

test('where the library\'s lookup goes wrong ("constructor", "__proto__"), the same real matches without its artefacts', () => {
  // The library looks words up on plain objects, so "constructor" and "__proto__" are also
  // found in every list, ranked by Object's constructor or prototype. Their NaN guesses can
  // hide the real entry ("constructor" is a word of the lists) or make a clave look weaker
  // than the same shape with any other word: "constructor-constructor" scores 0 there,
  // "rusia-rusia" 3. Here they are words like any other, so such claves score as those do.
  const artefact = (match: MatchExtended) => match.pattern === 'dictionary' && typeof match.rank !== 'number';
  for (const clave of ['constructor', 'Constructor-Lago-7', 'Kp9!constructorqq', '__proto__x9', 'xq__proto__zz9K']) {
    const theirs = allMatches(library, clave, PERSONAL);
    assert.ok(theirs.some(artefact), `the library's lookup goes wrong for ${clave}`);
    assert.deepEqual(allMatches(ours, clave, PERSONAL), theirs.filter((match) => !artefact(match)), `matches of ${clave}`);
  }
  assert.ok(ours.check('Constructor-Lago-7').sequence.some((match) => match.matchedWord === 'constructor'), 'the real word is counted');
});

test('the cases are not trivial: they include l33t, reversed, word-sequence and personal matches', () => {
  const matches = [...FIXED, ...generated(400)].flatMap((clave) => allMatches(ours, clave, PERSONAL));
  assert.ok(matches.some((match) => match.l33t === true && match.token.length > 1), 'l33t');
  assert.ok(matches.some((match) => match.reversed === true), 'reversed');
  assert.ok(matches.some((match) => match.pattern === 'wordSequence'), 'word sequence');
  assert.ok(matches.some((match) => match.dictionaryName === 'userInputs'), 'personal data');
  assert.ok(matches.some((match) => match.l33t === true && /\|<|\(\)/.test(match.token)), 'multi-character l33t');
});
