import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ERROR_CODES, isErrorCode, type CatalogueLocale, type ErrorCode } from '../../src/domain/errors.ts';
import { searchErrors } from '../../src/domain/errors-search.ts';
import { LOCALES, raw } from '../support/error-catalogue.ts';

/** Searching the error catalogue: by code, by free text in either language, its limits, and hostile queries. */

test('every code is found first by its own code, in several spellings', () => {
  for (const code of ERROR_CODES) {
    const digits = code.slice(4);
    const spellings = [
      code,
      code.toLowerCase(),
      `clv${digits}`,
      `CLV ${Number(digits)}`,
      `clv-${Number(digits)}`,
      `CLV_${digits}`,
      digits,
      `  ${code}  `,
      `¿Qué significa el error ${code}?`,
      `me salió ${code.toLowerCase()} en el correo`,
      `Error code CLV ${digits} when I sign in`,
    ];
    for (const query of spellings) {
      for (const locale of LOCALES) {
        const [first] = searchErrors(query, locale);
        assert.equal(first?.code, code, `${JSON.stringify(query)} (${locale})`);
        assert.equal(first?.title, raw[locale][code]!.title, `${JSON.stringify(query)} (${locale})`);
      }
    }
  }
});

test('a bare number only counts as a code when it is the whole query or a 0xx group', () => {
  assert.equal(searchErrors('10', 'es')[0]?.code, 'CLV-010');
  assert.equal(searchErrors('41', 'es')[0]?.code, 'CLV-041');
  // A cédula or phone number is not a code.
  assert.deepEqual(searchErrors('1710034065', 'es'), []);
  assert.deepEqual(searchErrors('0991234567', 'es'), []);
  // An unknown code is not invented.
  assert.deepEqual(searchErrors('CLV-099', 'es'), []);
});

test('a code in the query comes first, free-text matches follow', () => {
  const results = searchErrors('CLV-010 no me llega el correo', 'es');
  assert.equal(results[0]?.code, 'CLV-010');
  assert.equal(results[1]?.code, 'CLV-012');
});

const PHRASINGS: [string, ErrorCode][] = [
  ['no me llega el correo', 'CLV-012'],
  ['No me llegó el email', 'CLV-012'],
  ['no me llego el mail', 'CLV-012'],
  ['I never got the email', 'CLV-012'],
  ['mi correo registrado ya no existe', 'CLV-012'],
  ['el link caducó', 'CLV-020'],
  ['EL LINK CADUCO!!!', 'CLV-020'],
  ['enlace vencido', 'CLV-020'],
  ['the link expired', 'CLV-020'],
  ['el enlace ya fue usado', 'CLV-021'],
  ['link already used', 'CLV-021'],
  ['enlace roto', 'CLV-022'],
  ['captcha no funciona', 'CLV-002'],
  ['no soy un robot no carga', 'CLV-002'],
  ['"No soy un robot" ¡no carga!', 'CLV-002'],
  ['captcha expiró', 'CLV-003'],
  ['demasiadas solicitudes', 'CLV-004'],
  ['cédula inválida', 'CLV-001'],
  ['preguntas de seguridad', 'CLV-010'],
  ['mis datos no coinciden', 'CLV-010'],
  ['demasiados intentos', 'CLV-011'],
  ['too many attempts', 'CLV-011'],
  ['la clave es muy débil', 'CLV-033'],
  ['la clave es muy debil', 'CLV-033'],
  ['weak password', 'CLV-033'],
  ['clave muy corta', 'CLV-030'],
  ['me pide mayúsculas', 'CLV-031'],
  ['mi clave tiene mi nombre', 'CLV-032'],
  ['ya usé esa clave', 'CLV-034'],
  ['las claves no coinciden', 'CLV-035'],
  ["passwords don't match", 'CLV-035'],
  ['cuenta bloqueada', 'CLV-040'],
  ['me bloquearon', 'CLV-040'],
  ['se me bloqueó la cuenta', 'CLV-040'],
  ['my account is locked', 'CLV-040'],
  ['demasiados intentos fallidos', 'CLV-040'],
  ['clave incorrecta', 'CLV-041'],
  ['contraseña incorrecta', 'CLV-041'],
  ['contrasena incorrecta', 'CLV-041'],
  ['wrong password', 'CLV-041'],
  ['olvidé mi clave', 'CLV-041'],
  ['olvide mi contraseña', 'CLV-041'],
  ['no me deja entrar', 'CLV-041'],
  ['nunca tuve clave', 'CLV-042'],
  ['demasiados intentos de ingreso', 'CLV-043'],
  ['sesión expirada', 'CLV-050'],
  ['servicio no disponible', 'CLV-090'],
  ['service unavailable', 'CLV-090'],
  ['mi clave no sirve', 'CLV-041'],
  ['my clave does not work', 'CLV-041'],
  ['new password rejected', 'CLV-033'],
  ['someone stole my password', 'CLV-040'],
  ['quiero cambiar mi numero de celular', 'CLV-012'],
  ['cambie de correo', 'CLV-012'],
  ['perdi mi celular', 'CLV-012'],
  ['no tengo correo', 'CLV-012'],
  ['I changed my email', 'CLV-012'],
];

test('free-text phrasings find the expected entry first, in either output language', () => {
  assert.ok(PHRASINGS.length >= 24);
  for (const [query, code] of PHRASINGS) {
    for (const locale of LOCALES) {
      const results = searchErrors(query, locale);
      assert.equal(results[0]?.code, code, `${JSON.stringify(query)} (${locale}) → ${results.map((r) => r.code).join(',')}`);
      assert.equal(results[0]?.title, raw[locale][code]!.title, `${JSON.stringify(query)} in ${locale}`);
    }
  }
});

test('misspellings people make in Spanish (ll/y, b/v, s/z/c, qu/k, h, doubled letters), and a stolen clave, find the same entry', () => {
  const misspelt: [string, ErrorCode][] = [
    ['no me yega el coreo', 'CLV-012'],
    ['bloqeado', 'CLV-040'],
    ['me vloquearon', 'CLV-040'],
    ['enlase caducado', 'CLV-020'],
    ['captcha no funsiona', 'CLV-002'],
    ['no fui yo', 'CLV-040'],
    ['alguien cambió mi clave', 'CLV-040'],
    ['me bloquie', 'CLV-040'],
    ['me bloquee', 'CLV-040'],
    ['me robaron la clave', 'CLV-040'],
    ['cambiaron mi clave sin permiso', 'CLV-040'],
  ];
  for (const [query, code] of misspelt) assert.equal(searchErrors(query, 'es')[0]?.code, code, query);
  assert.deepEqual(searchErrors('zzzz qqqq', 'es'), [], 'noise still finds nothing');
});

test('every entry is found first by its own title, in both languages', () => {
  for (const code of ERROR_CODES) {
    for (const locale of LOCALES) {
      const title = raw[locale][code]!.title;
      assert.equal(searchErrors(title, 'es')[0]?.code, code, `${locale} title ${JSON.stringify(title)}`);
    }
  }
});

test('nonsense and small talk find nothing', () => {
  for (const query of ['', '   ', 'hola', 'Hola, buenas tardes', 'asdfgh', 'lorem ipsum dolor', 'pizza', 'the quick brown fox', '???', '!!!', '-', '1234567890123']) {
    assert.deepEqual(searchErrors(query, 'es'), [], JSON.stringify(query));
  }
});

test('results are best first, distinct, and respect the limit', () => {
  assert.ok(searchErrors('demasiados intentos', 'es').length <= 3);
  assert.equal(searchErrors('demasiados intentos', 'es', 1).length, 1);
  assert.deepEqual(searchErrors('demasiados intentos', 'es', 0), []);
  assert.deepEqual(searchErrors('demasiados intentos', 'es', -5), []);
  const many = searchErrors('clave correo enlace captcha cuenta', 'es', 100);
  assert.ok(many.length <= ERROR_CODES.length);
  assert.equal(new Set(many.map((e) => e.code)).size, many.length);
});

test('the query is capped at 200 characters', () => {
  const padding = 'x'.repeat(250);
  assert.deepEqual(searchErrors(`${padding} cuenta bloqueada`, 'es'), []);
  assert.equal(searchErrors(`cuenta bloqueada ${padding}`, 'es')[0]?.code, 'CLV-040');
});

test('hostile input never throws and stays fast', () => {
  const hostile: unknown[] = [
    '<script>alert("CLV-010")</script>',
    '<img src=x onerror=alert(1)>cuenta bloqueada',
    'a'.repeat(1_000_000),
    ' '.repeat(1_000_000) + 'captcha',
    'CLV-' + '0'.repeat(100_000),
    'clv'.repeat(300_000),
    '\u0000\u0001\u0007\u001b[31m\u007f\u0085\u2028\u2029',
    '\ud800\udc00\ud800 lone surrogates \udfff',
    '🔒🔑💥 cuenta 🔒 bloqueada',
    '.*+?^${}()|[]\\/',
    '{institute} {remaining} {constructor}',
    '__proto__',
    'constructor',
    'toString hasOwnProperty valueOf',
    'ＣＬＶ－０１０',
    'İstanbul ǅ ß ﬁ',
    '%00%0d%0a SELECT * FROM claves; --',
    null,
    undefined,
    42,
    {},
    ['CLV-010'],
  ];
  const started = performance.now();
  for (const input of hostile) {
    for (const locale of [...LOCALES, 'fr' as CatalogueLocale]) {
      for (const limit of [undefined, 0, 1, 3, 1000, -1, Number.NaN, Number.POSITIVE_INFINITY, 1.7]) {
        const results = searchErrors(input as string, locale, limit);
        assert.ok(Array.isArray(results));
        for (const entry of results) assert.ok(isErrorCode(entry.code));
      }
    }
  }
  assert.ok(performance.now() - started < 5_000, 'hostile inputs took too long');
  assert.equal(searchErrors('ＣＬＶ－０１０', 'es')[0]?.code, 'CLV-010');
  assert.equal(searchErrors('🔒🔑💥 cuenta 🔒 bloqueada', 'es')[0]?.code, 'CLV-040');
});

test('searching is fast enough to run on every keystroke', () => {
  const started = performance.now();
  for (let i = 0; i < 2_000; i++) searchErrors(PHRASINGS[i % PHRASINGS.length]![0], 'es');
  assert.ok(performance.now() - started < 2_000, 'two thousand searches took more than two seconds');
});
