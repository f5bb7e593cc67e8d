import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withoutLegalForm } from '../../src/domain/kba-draws.ts';
import { decoyHistory } from '../../src/domain/decoy-history.ts';
import { NONE_OPTION_ID, buildQuestions } from '../../src/domain/knowledge-questions.ts';
import { CEDULAS, REFERENCE_YEAR, HISTORY, POOL, SECRET, assertShape, cedula, correctText, historyFor, input, job, question, samplesFor, texts } from '../support/kba-fixtures.ts';

/**
 * Knowledge questions: the options shown. Distractors are never the person's, years are
 * plausible and give nothing away, option ids depend on the secret and the cédula, and the
 * registry (its growth, its size) moves the options as little as possible.
 */

test('distractor employers are never in the history, even spelt differently', () => {
  // The pool spells two of the person's employers in capitals: they are still theirs.
  const pool = [...POOL, 'EMPRESA 010 S.A.', '  Empresa   020 S.A. '];
  CEDULAS.forEach((c, n) => {
    const history = n === 0 ? HISTORY : historyFor(n);
    const keys = new Set(history.map((f) => f.empleador.toLowerCase()));
    const set = buildQuestions(input({ cedula: c, history, pool }));
    for (const kind of ['employer_any', 'last_employer', 'first_employer'] as const) {
      const q = question(set, kind);
      const correct = correctText(set, q);
      for (const text of texts(q)) {
        if (text !== correct) assert.ok(!keys.has(text.replace(/\s+/g, ' ').trim().toLowerCase()), `${text} is in the history`);
      }
    }
  });
});

test('no distractor shares a name with an employer of the history once accents, capitals and the legal form are set aside', () => {
  const history = [job('Plásticos del Guayas Cía. Ltda.', '1999-02-01', '2004-12-31'), job('Agrícola San Gabriel S.A.', '2005-01-01', null)];
  const pool = ['PLASTICOS DEL GUAYAS C.A.', 'Agricola San Gabriel C.A.', 'Plásticos del Guayas S.A.', 'Agrícola San Gabriel Cía. Ltda.', ...POOL];
  const bare = (text: string) => text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
  CEDULAS.forEach((c) => {
    const set = buildQuestions(input({ cedula: c, history, pool }));
    for (const kind of ['employer_any', 'last_employer', 'first_employer'] as const) {
      const q = question(set, kind);
      const correct = correctText(set, q);
      for (const text of texts(q)) {
        if (text !== correct) assert.doesNotMatch(bare(text), /^(plasticos del guayas|agricola san gabriel) /, `${text} would read as the person's own employer`);
      }
    }
  });
});

test('year options are shown in order', () => {
  for (let n = 0; n < 50; n++) {
    const set = buildQuestions(input({ cedula: cedula(7000 + n), history: [job('Empresa 001 S.A.', `${1990 + (n % 20)}-06-01`, null)], count: 5 }));
    for (const kind of ['first_year', 'last_start_year'] as const) {
      const years = texts(question(set, kind)).map(Number);
      assert.deepEqual(years, [...years].sort((a, b) => a - b));
    }
  }
});

test('year options are distinct, plausible and never in the future', () => {
  const recent = [job('Empresa 001 S.A.', '2024-05-01', null)];
  CEDULAS.forEach((c, n) => {
    for (const history of [historyFor(n), recent]) {
      const set = buildQuestions(input({ cedula: c, history }));
      for (const kind of ['first_year', 'last_start_year'] as const) {
        const q = question(set, kind);
        const truth = Number(correctText(set, q));
        const years = texts(q).map(Number);
        assert.equal(new Set(years).size, 4);
        for (const year of years) {
          assert.ok(Number.isInteger(year) && year <= REFERENCE_YEAR, `${year} is in the future`);
          assert.ok(Math.abs(year - truth) <= 8, `${year} is far from ${truth}`);
        }
      }
    }
  });
});

test("the true year has no tell-tale position among the years shown", () => {
  // If distractors were centred on the true year, it would nearly always be 2nd or 3rd.
  const positions = [0, 0, 0, 0];
  const people = 400;
  for (let n = 0; n < people; n++) {
    const set = buildQuestions(input({ cedula: cedula(5000 + n), history: [job('Empresa 001 S.A.', '2005-06-01', null)], count: 2 }));
    const q = question(set, 'first_year');
    const sorted = texts(q).map(Number).sort((a, b) => a - b);
    positions[sorted.indexOf(2005)]! += 1;
  }
  for (const count of positions) assert.ok(count > people * 0.15 && count < people * 0.35, `positions ${positions.join(',')}`);
});

test('another secret gives other option ids', () => {
  const a = buildQuestions(input());
  const b = buildQuestions(input({ secret: 'another-secret' }));
  a.questions.forEach((q, i) => {
    const idsB = new Set(b.questions[i]!.options.map((o) => o.id));
    for (const option of q.options) if (option.id !== NONE_OPTION_ID) assert.ok(!idsB.has(option.id), `${option.id} reused`);
  });
});

test('option ids differ between cédulas', () => {
  const a = buildQuestions(input());
  const other = buildQuestions(input({ cedula: CEDULAS[1]! }));
  const ids = new Set(a.questions.flatMap((q) => q.options.map((o) => o.id)));
  for (const option of other.questions.flatMap((q) => q.options)) {
    if (option.id !== NONE_OPTION_ID) assert.ok(!ids.has(option.id));
  }
});

test('a person with no history: every answer is none, still four options each', () => {
  for (const c of CEDULAS.slice(0, 10)) {
    const set = buildQuestions(input({ cedula: c, history: [] }));
    assertShape(set, 5);
    for (const id of Object.values(set.answerKey)) assert.equal(id, NONE_OPTION_ID);
    for (const q of set.questions) {
      if (q.kind.endsWith('employer') || q.kind === 'employer_any') for (const text of texts(q)) assert.ok(POOL.map(withoutLegalForm).includes(text), text);
      else for (const year of texts(q).map(Number)) assert.ok(year <= REFERENCE_YEAR && year >= REFERENCE_YEAR - 40);
    }
  }
});

test('employer questions show the same names when the answer is the same, and share none otherwise', () => {
  // One intersecting name between two option lists would give away the answer to both.
  const sole = [job('Empresa 050 S.A.', '2015-01-01', null)];
  for (const c of CEDULAS) {
    const single = buildQuestions(input({ cedula: c, history: sole }));
    const reference = [...texts(question(single, 'employer_any'))].sort();
    for (const kind of ['last_employer', 'first_employer'] as const) assert.deepEqual([...texts(question(single, kind))].sort(), reference);

    const several = buildQuestions(input({ cedula: c }));
    const last = new Set(texts(question(several, 'last_employer')));
    const first = texts(question(several, 'first_employer'));
    assert.ok(first.every((t) => !last.has(t)), 'first and last employer options overlap');
  }
});

test('a registry import rarely changes the options already shown', () => {
  // Drawing by position in the sorted pool would reshuffle nearly every distractor and
  // leave only the correct answer in place.
  const grown = [...POOL, ...Array.from({ length: 10 }, (_, i) => `Nueva Empresa ${i} S.A.`)];
  let compared = 0;
  let changed = 0;
  CEDULAS.forEach((c, n) => {
    const before = buildQuestions(input({ cedula: c, history: historyFor(n) }));
    const after = buildQuestions(input({ cedula: c, history: historyFor(n), pool: grown }));
    before.questions.forEach((q, i) => {
      compared++;
      if (JSON.stringify(q) !== JSON.stringify(after.questions[i])) changed++;
    });
  });
  assert.ok(changed < compared * 0.25, `${changed} of ${compared} questions changed`);
});

test('the caller history order does not change the output', () => {
  assert.deepEqual(buildQuestions(input({ history: [...HISTORY].reverse() })), buildQuestions(input()));
});

test('a pool too small for distractors is padded to four distinct options', () => {
  for (const pool of [[], ['Empresa 020 S.A.'], ['Otra Cía. Ltda.', 'Empresa 005 S.A.']]) {
    for (const history of [HISTORY, []]) {
      const set = buildQuestions(input({ pool, history }));
      assertShape(set, 5);
      const keys = new Set(history.map((f) => f.empleador.toLowerCase()));
      for (const kind of ['employer_any', 'last_employer', 'first_employer'] as const) {
        const q = question(set, kind);
        const correct = correctText(set, q);
        for (const text of texts(q)) if (text !== correct) assert.ok(!keys.has(text.toLowerCase()));
      }
    }
  }
});

test('two employers with one name but different legal forms: every question still offers its right answer, under one spelling', () => {
  // Carmen's history in the demo: "Lácteos Carchi C.A." early, "Lácteos Carchi Cía. Ltda." last.
  // Which of them "any employer" asks about depends on the secret; whichever it is, the
  // questions share one set of options for the name, so each answer must be in it.
  const history = [
    job('Lácteos Carchi C.A.', '1996-01-01', '2000-12-31', '1790000000001'),
    job('Transportes Manabí C.A.', '2001-01-01', '2003-12-31', '1790000000002'),
    job('Lácteos Carchi Cía. Ltda.', '2010-01-01', null, '1790000000003'),
  ];
  for (let n = 0; n < 40; n++) {
    const set = buildQuestions(input({ cedula: CEDULAS[0]!, history, secret: `secret-${n}` }));
    const shown = new Set<string>();
    for (const kind of ['employer_any', 'last_employer', 'first_employer'] as const) {
      const q = question(set, kind);
      const correct = correctText(set, q);
      assert.ok(correct !== null, `${kind} has a right answer among its options (secret ${n})`);
      if (/carchi/i.test(correct)) shown.add(correct);
    }
    assert.ok(shown.size <= 1, `one spelling of the name across the questions: ${[...shown].join(' | ')}`);
    // Shown as a person would say it: the last employer is not offered under the legal form of an earlier job.
    assert.equal(correctText(set, question(set, 'last_employer')), 'Lácteos Carchi');
  }
});

test('employers are shown without a legal form, distractors too: none can stand out by having one', () => {
  for (const c of CEDULAS) {
    const set = buildQuestions(input({ cedula: c }));
    for (const kind of ['employer_any', 'last_employer', 'first_employer'] as const) {
      for (const text of texts(question(set, kind))) assert.doesNotMatch(text, /\b(S\.?A\.?S?|C\.?A\.?|C[ií]a\.?|Ltda\.?)$/, `${kind}: ${text}`);
    }
  }
});

test('a legal form spelt in pieces is left off too, and a name of punctuation alone is still shown', () => {
  assert.equal(withoutLegalForm('Acme S. A.'), 'Acme');
  assert.equal(withoutLegalForm('Acme C. Ltda.'), 'Acme');
  assert.equal(withoutLegalForm('Lácteos Carchi, S.A.'), 'Lácteos Carchi');
  assert.equal(withoutLegalForm('Banco del Pacífico'), 'Banco del Pacífico');
  assert.equal(withoutLegalForm('-'), '-');
});
