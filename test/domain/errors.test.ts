import { test } from 'node:test';
import assert from 'node:assert/strict';
import es from '../../src/domain/error-catalogue.es.json' with { type: 'json' };
import en from '../../src/domain/error-catalogue.en.json' with { type: 'json' };
import {
  ERROR_CODES,
  errorEntry,
  isErrorCode,
  searchErrors,
  type CatalogueLocale,
  type ErrorCode,
} from '../../src/domain/errors.ts';

type RawEntry = { title: string; cause: string; action: string; detail?: string; keywords: string[] };
const raw: Record<CatalogueLocale, Record<string, RawEntry>> = { es, en };
const LOCALES = ['es', 'en'] as const;

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!).sort();

test('ERROR_CODES lists the agreed codes, in order, without duplicates', () => {
  assert.deepEqual(
    [...ERROR_CODES],
    [
      'CLV-001', 'CLV-002', 'CLV-003', 'CLV-004', 'CLV-010', 'CLV-011', 'CLV-012', 'CLV-020', 'CLV-021',
      'CLV-022', 'CLV-030', 'CLV-031', 'CLV-032', 'CLV-033', 'CLV-034', 'CLV-035', 'CLV-040', 'CLV-041',
      'CLV-042', 'CLV-043', 'CLV-050', 'CLV-090',
    ],
  );
});

test('both catalogue files have exactly the codes of ERROR_CODES', () => {
  for (const locale of LOCALES) assert.deepEqual(Object.keys(raw[locale]).sort(), [...ERROR_CODES].sort(), locale);
});

test('every entry has a non-empty title, cause, action and keywords in both languages', () => {
  for (const locale of LOCALES) {
    for (const code of ERROR_CODES) {
      const entry = raw[locale][code]!;
      for (const field of ['title', 'cause', 'action'] as const) {
        assert.equal(typeof entry[field], 'string', `${locale} ${code} ${field}`);
        assert.ok(entry[field].trim().length > 0, `${locale} ${code} ${field}`);
      }
      assert.ok(Array.isArray(entry.keywords) && entry.keywords.length >= 3, `${locale} ${code} keywords`);
      for (const keyword of entry.keywords) {
        assert.ok(keyword.trim().length > 0, `${locale} ${code} empty keyword`);
        assert.equal(keyword, keyword.toLowerCase().trim(), `${locale} ${code} keyword "${keyword}"`);
      }
      assert.equal(new Set(entry.keywords).size, entry.keywords.length, `${locale} ${code} duplicate keyword`);
    }
  }
});

test('titles stay short and causes/actions stay at one or two sentences', () => {
  for (const locale of LOCALES) {
    for (const code of ERROR_CODES) {
      const entry = raw[locale][code]!;
      assert.ok(entry.title.length <= 60, `${locale} ${code} title too long`);
      for (const field of ['cause', 'action'] as const) {
        const sentences = entry[field].split(/[.!?](?:\s|$)/).filter((s) => s.trim() !== '');
        assert.ok(sentences.length <= 2, `${locale} ${code} ${field}: ${sentences.length} sentences`);
      }
    }
  }
});

test('title, cause and action carry no placeholder except {institute}', () => {
  for (const locale of LOCALES) {
    for (const code of ERROR_CODES) {
      const entry = raw[locale][code]!;
      for (const field of ['title', 'cause', 'action'] as const) {
        for (const name of placeholders(entry[field])) assert.equal(name, 'institute', `${locale} ${code} ${field}`);
        assert.doesNotMatch(entry[field].replace(/\{institute\}/g, ''), /[{}]/, `${locale} ${code} ${field} stray brace`);
      }
    }
  }
});

test('detail exists for the same codes in both languages with the same placeholders', () => {
  for (const code of ERROR_CODES) {
    const esDetail = raw.es[code]!.detail;
    const enDetail = raw.en[code]!.detail;
    assert.equal(esDetail === undefined, enDetail === undefined, code);
    if (esDetail !== undefined && enDetail !== undefined) {
      assert.deepEqual(placeholders(enDetail), placeholders(esDetail), code);
    }
    for (const field of ['title', 'cause', 'action'] as const) {
      assert.deepEqual(placeholders(raw.en[code]![field]), placeholders(raw.es[code]![field]), `${code} ${field}`);
    }
  }
  assert.deepEqual(placeholders(raw.es['CLV-010']!.detail ?? ''), ['remaining']);
  assert.deepEqual(placeholders(raw.en['CLV-010']!.detail ?? ''), ['remaining']);
});

test('Spanish texts address the citizen as usted, never tú', () => {
  // Only forms that are unambiguously tú ("usa" or "espera" are also usted's indicative).
  const tuteo = /(^|[^\p{L}])(tú|tu|tus|puedes|tienes|debes|revisa|intenta|elige|escribe|ingresa)(?![\p{L}])/iu;
  for (const code of ERROR_CODES) {
    const { title, cause, action, detail } = raw.es[code]!;
    assert.doesNotMatch([title, cause, action, detail ?? ''].join(' '), tuteo, code);
  }
});

test('no text reveals whether someone is an affiliate or which credential was wrong', () => {
  const revealing = [
    /no (es|está) afiliad/i,
    /no (está|existe) registrad/i,
    /no existe/i,
    /not (an )?affiliate/i,
    /not registered/i,
    /does not exist/i,
    /(cédula|clave) (es )?incorrecta\b(?! o)/i,
  ];
  for (const locale of LOCALES) {
    for (const code of ERROR_CODES) {
      const { title, cause, action, detail } = raw[locale][code]!;
      const text = [title, cause, action, detail ?? ''].join(' ');
      for (const pattern of revealing) {
        if (code === 'CLV-041' && pattern.source.startsWith('(cédula|clave)')) continue;
        assert.doesNotMatch(text, pattern, `${locale} ${code}`);
      }
    }
  }
  // CLV-041 names both, joined by "or", so it cannot tell which one failed.
  assert.match(raw.es['CLV-041']!.title, /cédula o clave/i);
  assert.match(raw.es['CLV-041']!.cause, /cédula o la clave/i);
  assert.match(raw.en['CLV-041']!.title, /cédula or clave/i);
  assert.match(raw.en['CLV-041']!.cause, /cédula or the clave/i);
  // CLV-010 speaks of "some" answers, never a particular one.
  assert.match(raw.es['CLV-010']!.cause, /alguno de los datos/i);
  assert.match(raw.en['CLV-010']!.cause, /some of your answers/i);
});

test('isErrorCode accepts exactly the catalogue codes', () => {
  for (const code of ERROR_CODES) assert.equal(isErrorCode(code), true, code);
  for (const value of ['CLV-099', 'clv-001', 'CLV-01', '001', '', ' CLV-001', 'CLV-001 ', null, undefined, 1, {}, ['CLV-001']]) {
    assert.equal(isErrorCode(value), false, String(value));
  }
});

test('errorEntry returns the entry in the requested language with the code', () => {
  const esEntry = errorEntry('CLV-040', 'es');
  const enEntry = errorEntry('CLV-040', 'en');
  assert.equal(esEntry.code, 'CLV-040');
  assert.equal(esEntry.title, raw.es['CLV-040']!.title);
  assert.equal(enEntry.title, raw.en['CLV-040']!.title);
  assert.notEqual(esEntry.title, enEntry.title);
  assert.equal('detail' in esEntry, false);
  assert.equal('keywords' in esEntry, false);
});

test('errorEntry fills placeholders from params and leaves unknown ones as they are', () => {
  const entry = errorEntry('CLV-010', 'es', { remaining: 2, institute: 'IESS' });
  assert.equal(entry.detail, 'Le quedan 2 intentos.');
  assert.match(entry.action, /agencia del IESS/);
  assert.doesNotMatch(`${entry.title} ${entry.cause} ${entry.action}`, /\{/);

  const unfilled = errorEntry('CLV-010', 'en');
  assert.equal(unfilled.detail, 'You have {remaining} attempts left.');
  assert.match(unfilled.action, /\{institute\}/);

  const partly = errorEntry('CLV-030', 'es', { min: 8 });
  assert.equal(partly.detail, 'Debe tener entre 8 y {max} caracteres.');

  // Values are inserted literally: no `$&` expansion, no second pass, no prototype lookups.
  assert.equal(errorEntry('CLV-010', 'es', { remaining: '$& {institute}' }).detail, 'Le quedan $& {institute} intentos.');
  assert.match(errorEntry('CLV-010', 'es', {}).action, /\{institute\}/);
});

test('errorEntry hands out copies that callers cannot use to change the catalogue', () => {
  const first = errorEntry('CLV-001', 'es');
  first.title = 'cambiado';
  assert.equal(errorEntry('CLV-001', 'es').title, raw.es['CLV-001']!.title);
});

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
