import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ERROR_CODES, errorEntry, isErrorCode } from '../../src/domain/errors.ts';
import { LOCALES, raw } from '../support/error-catalogue.ts';

/**
 * The error catalogue: its codes, what each entry says in both languages (and what it must
 * never reveal), and handing entries out. (Searching it: errors-search.test.ts.)
 */

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

test('errorEntry fills placeholders from params and leaves unknown ones as they are; a detail it cannot fill whole is left out', () => {
  const entry = errorEntry('CLV-010', 'es', { remaining: 2, institute: 'IESS' });
  assert.equal(entry.detail, 'Le quedan 2 intentos.');
  assert.match(entry.action, /agencia del IESS/);
  assert.doesNotMatch(`${entry.title} ${entry.cause} ${entry.action}`, /\{/);

  // A detail is a figure of one case: without all of its numbers it is left out, never shown with a "{min}".
  const unfilled = errorEntry('CLV-010', 'en');
  assert.equal(unfilled.detail, undefined);
  assert.match(unfilled.action, /\{institute\}/);
  assert.equal(errorEntry('CLV-030', 'es', { min: 8 }).detail, undefined);
  assert.equal(errorEntry('CLV-030', 'es', { min: 8, max: 128 }).detail, 'Debe tener entre 8 y 128 caracteres.');

  // Values are inserted literally: no `$&` expansion, no second pass, no prototype lookups.
  assert.equal(errorEntry('CLV-010', 'es', { remaining: '$& {institute}' }).detail, 'Le quedan $& {institute} intentos.');
  assert.match(errorEntry('CLV-010', 'es', {}).action, /\{institute\}/);
});

test('errorEntry hands out copies that callers cannot use to change the catalogue', () => {
  const first = errorEntry('CLV-001', 'es');
  first.title = 'cambiado';
  assert.equal(errorEntry('CLV-001', 'es').title, raw.es['CLV-001']!.title);
});
