import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cedulaCheckDigit } from '../../src/domain/cedula.ts';
import {
  NONE_OPTION_ID,
  QUESTION_KINDS,
  answersMatch,
  buildQuestions,
  decoyHistory,
  type EmploymentFact,
  type KnowledgeQuestion,
  type QuestionInput,
  type QuestionSet,
} from '../../src/domain/knowledge-questions.ts';

const SECRET = 'test-secret-0123456789abcdef';
const CURRENT_YEAR = 2025;
const OPTION_ID = /^[A-Za-z0-9_-]{10}$/;

/** Valid cédulas from Pichincha, numbered. */
function cedula(n: number): string {
  const firstNine = `17${String(n).padStart(7, '0')}`;
  return `${firstNine}${cedulaCheckDigit(firstNine)}`;
}
const CEDULAS = Array.from({ length: 50 }, (_, i) => cedula(1000 + i * 37));

const POOL = Array.from({ length: 200 }, (_, i) => `Empresa ${String(i).padStart(3, '0')} S.A.`);

function job(empleador: string, fechaInicio: string, fechaFin: string | null, ruc = '1790012345001'): EmploymentFact {
  return { rucEmpleador: ruc, empleador, fechaInicio, fechaFin };
}

/** Deliberately not in date order: the generator must not rely on the caller's order. */
const HISTORY: EmploymentFact[] = [
  job('Empresa 010 S.A.', '2012-03-01', '2016-08-31'),
  job('Empresa 020 S.A.', '2019-02-01', null),
  job('Empresa 005 S.A.', '2004-07-15', '2011-12-31'),
  job('Empresa 030 S.A.', '2016-09-01', '2019-01-15'),
];

function input(overrides: Partial<QuestionInput> = {}): QuestionInput {
  return { secret: SECRET, cedula: CEDULAS[0]!, epoch: 0, history: HISTORY, employerPool: POOL, count: 5, currentYear: CURRENT_YEAR, ...overrides };
}

function question(set: QuestionSet, kind: string): KnowledgeQuestion {
  const found = set.questions.find((q) => q.kind === kind);
  assert.ok(found, `no ${kind} question`);
  return found;
}

/** The text of the correct option, or null when the answer is 'none'. */
function correctText(set: QuestionSet, q: KnowledgeQuestion): string | null {
  const id = set.answerKey[q.id];
  if (id === NONE_OPTION_ID) return null;
  const matching = q.options.filter((o) => o.id === id);
  assert.equal(matching.length, 1, `the correct option of ${q.kind} appears exactly once`);
  return matching[0]!.text;
}

function texts(q: KnowledgeQuestion): string[] {
  return q.options.filter((o) => o.id !== NONE_OPTION_ID).map((o) => o.text);
}

function assertShape(set: QuestionSet, count: number): void {
  assert.equal(set.questions.length, count);
  assert.deepEqual(Object.keys(set.answerKey), set.questions.map((q) => q.id));
  set.questions.forEach((q, i) => {
    assert.equal(q.id, `q${i + 1}`);
    assert.equal(q.kind, QUESTION_KINDS[i]);
    assert.equal(q.options.length, 5);
    assert.deepEqual(q.options[4], { id: NONE_OPTION_ID, text: '' });
    const shown = q.options.slice(0, 4);
    for (const option of shown) {
      assert.match(option.id, OPTION_ID);
      assert.notEqual(option.text, '');
    }
    assert.equal(new Set(shown.map((o) => o.id)).size, 4, 'distinct ids');
    assert.equal(new Set(shown.map((o) => o.text.toLowerCase())).size, 4, 'distinct texts');
    const answer = set.answerKey[q.id]!;
    assert.equal(q.options.filter((o) => o.id === answer).length, 1, 'exactly one correct option');
  });
}

/** A small pseudo-random history from the pool, different for each n. */
function historyFor(n: number): EmploymentFact[] {
  const jobs = 1 + (n % 4);
  return Array.from({ length: jobs }, (_, j) => {
    const year = 1995 + ((n * 7 + j * 6) % 28);
    return job(POOL[(n * 13 + j * 41) % POOL.length]!, `${year}-0${1 + (j % 9)}-10`, j === jobs - 1 && n % 2 === 0 ? null : `${year}-12-20`, `17900${n}${j}001`);
  });
}

test('QUESTION_KINDS are in the documented order', () => {
  assert.deepEqual(QUESTION_KINDS, ['employer_any', 'first_year', 'last_employer', 'first_employer', 'last_start_year']);
});

test('identical inputs give byte-identical sets on every call', () => {
  const first = buildQuestions(input());
  const serialised = JSON.stringify(first);
  for (let i = 0; i < 5; i++) {
    const again = buildQuestions(input());
    assert.deepEqual(again, first);
    assert.equal(JSON.stringify(again), serialised, 'same option order');
  }
});

test('the set is well formed and the correct option matches the history for each kind', () => {
  const set = buildQuestions(input());
  assertShape(set, 5);
  const names = new Set(HISTORY.map((f) => f.empleador));
  assert.ok(names.has(correctText(set, question(set, 'employer_any'))!));
  assert.equal(correctText(set, question(set, 'first_year')), '2004');
  assert.equal(correctText(set, question(set, 'last_employer')), 'Empresa 020 S.A.');
  assert.equal(correctText(set, question(set, 'first_employer')), 'Empresa 005 S.A.');
  assert.equal(correctText(set, question(set, 'last_start_year')), '2019');
});

test('the correct option matches the history for many people', () => {
  CEDULAS.forEach((c, n) => {
    const history = historyFor(n);
    const set = buildQuestions(input({ cedula: c, history }));
    assertShape(set, 5);
    const byStart = [...history].sort((a, b) => (a.fechaInicio < b.fechaInicio ? -1 : 1));
    const first = byStart[0]!;
    const last = byStart[byStart.length - 1]!;
    assert.ok(history.some((f) => f.empleador === correctText(set, question(set, 'employer_any'))));
    assert.equal(correctText(set, question(set, 'first_employer')), first.empleador);
    assert.equal(correctText(set, question(set, 'last_employer')), last.empleador);
    assert.equal(correctText(set, question(set, 'first_year')), first.fechaInicio.slice(0, 4));
    assert.equal(correctText(set, question(set, 'last_start_year')), last.fechaInicio.slice(0, 4));
  });
});

test('ties on the latest start go to the current job, whatever the caller order', () => {
  const history = [job('Empresa 001 S.A.', '2020-01-01', '2021-06-30'), job('Empresa 002 S.A.', '2020-01-01', null), job('Empresa 003 S.A.', '2010-01-01', '2019-12-31')];
  for (const order of [history, [...history].reverse()]) {
    const set = buildQuestions(input({ history: order }));
    assert.equal(correctText(set, question(set, 'last_employer')), 'Empresa 002 S.A.');
    assert.equal(correctText(set, question(set, 'first_employer')), 'Empresa 003 S.A.');
  }
});

test('distractor employers are never in the history, even spelt differently', () => {
  // The pool spells two of the person's employers in capitals: they are still theirs.
  const pool = [...POOL, 'EMPRESA 010 S.A.', '  Empresa   020 S.A. '];
  CEDULAS.forEach((c, n) => {
    const history = n === 0 ? HISTORY : historyFor(n);
    const keys = new Set(history.map((f) => f.empleador.toLowerCase()));
    const set = buildQuestions(input({ cedula: c, history, employerPool: pool }));
    for (const kind of ['employer_any', 'last_employer', 'first_employer'] as const) {
      const q = question(set, kind);
      const correct = correctText(set, q);
      for (const text of texts(q)) {
        if (text !== correct) assert.ok(!keys.has(text.replace(/\s+/g, ' ').trim().toLowerCase()), `${text} is in the history`);
      }
    }
  });
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
          assert.ok(Number.isInteger(year) && year <= CURRENT_YEAR, `${year} is in the future`);
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

test('another epoch changes the choice or order for some people', () => {
  let changed = 0;
  CEDULAS.forEach((c, n) => {
    const before = buildQuestions(input({ cedula: c, history: historyFor(n), epoch: 3 }));
    const after = buildQuestions(input({ cedula: c, history: historyFor(n), epoch: 4 }));
    if (before.questions.some((q, i) => JSON.stringify(texts(q)) !== JSON.stringify(texts(after.questions[i]!)))) changed++;
  });
  assert.ok(changed > 0, 'no question changed');
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
      if (q.kind.endsWith('employer') || q.kind === 'employer_any') for (const text of texts(q)) assert.ok(POOL.includes(text));
      else for (const year of texts(q).map(Number)) assert.ok(year <= CURRENT_YEAR && year >= CURRENT_YEAR - 40);
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
    const after = buildQuestions(input({ cedula: c, history: historyFor(n), employerPool: grown }));
    before.questions.forEach((q, i) => {
      compared++;
      if (JSON.stringify(q) !== JSON.stringify(after.questions[i])) changed++;
    });
  });
  assert.ok(changed < compared * 0.25, `${changed} of ${compared} questions changed`);
});

test('the caller pool order (and repeats) do not change the output', () => {
  const shuffled = [...POOL].sort((a, b) => (a.slice(-6) + a < b.slice(-6) + b ? 1 : -1));
  const expected = buildQuestions(input());
  assert.deepEqual(buildQuestions(input({ employerPool: [...POOL].reverse() })), expected);
  assert.deepEqual(buildQuestions(input({ employerPool: shuffled })), expected);
  assert.deepEqual(buildQuestions(input({ employerPool: [...POOL, ...POOL.slice(0, 20)] })), expected);
  assert.deepEqual(buildQuestions(input({ history: [...HISTORY].reverse() })), expected);
  assert.deepEqual(decoyHistory(SECRET, CEDULAS[0]!, [...POOL].reverse(), CURRENT_YEAR), decoyHistory(SECRET, CEDULAS[0]!, POOL, CURRENT_YEAR));
});

test('a pool too small for distractors is padded to four distinct options', () => {
  for (const pool of [[], ['Empresa 020 S.A.'], ['Otra Cía. Ltda.', 'Empresa 005 S.A.']]) {
    for (const history of [HISTORY, []]) {
      const set = buildQuestions(input({ employerPool: pool, history }));
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

test('count selects a prefix of the kinds; 0 gives no questions', () => {
  assert.deepEqual(buildQuestions(input({ count: 0 })), { questions: [], answerKey: {} });
  const full = buildQuestions(input({ count: 5 }));
  for (let count = 1; count <= 5; count++) {
    const set = buildQuestions(input({ count }));
    assertShape(set, count);
    assert.deepEqual(set.questions, full.questions.slice(0, count));
  }
  assert.equal(buildQuestions(input({ count: 9 })).questions.length, 5);
  assert.equal(buildQuestions(input({ count: -1 })).questions.length, 0);
});

test('decoy histories are plausible, stable, and sometimes empty', () => {
  const sizes = new Set<number>();
  for (let n = 0; n < 200; n++) {
    const c = cedula(9000 + n);
    const decoy = decoyHistory(SECRET, c, POOL, CURRENT_YEAR);
    assert.deepEqual(decoyHistory(SECRET, c, POOL, CURRENT_YEAR), decoy);
    sizes.add(decoy.length);
    assert.ok(decoy.length <= 4);
    assert.equal(new Set(decoy.map((f) => f.empleador)).size, decoy.length);
    for (const fact of decoy) {
      assert.ok(POOL.includes(fact.empleador));
      assert.match(fact.rucEmpleador, /^\d{2}9\d{7}001$/);
      assert.match(fact.fechaInicio, /^\d{4}-\d{2}-\d{2}$/);
      assert.ok(Number(fact.fechaInicio.slice(0, 4)) < CURRENT_YEAR);
      if (fact.fechaFin !== null) {
        assert.ok(fact.fechaFin >= fact.fechaInicio && Number(fact.fechaFin.slice(0, 4)) < CURRENT_YEAR);
      }
    }
    for (let i = 1; i < decoy.length; i++) assert.ok(decoy[i]!.fechaInicio > decoy[i - 1]!.fechaFin!, 'jobs follow one another');
  }
  assert.deepEqual([...sizes].sort(), [0, 1, 2, 3, 4]);
  assert.notDeepEqual(decoyHistory('another-secret', CEDULAS[0]!, POOL, CURRENT_YEAR), decoyHistory(SECRET, CEDULAS[0]!, POOL, CURRENT_YEAR));
});

test('questions on a decoy look exactly like questions on a real person', () => {
  for (let n = 0; n < 50; n++) {
    const c = cedula(9000 + n);
    for (const count of [3, 5]) {
      const decoySet = buildQuestions(input({ cedula: c, count, history: decoyHistory(SECRET, c, POOL, CURRENT_YEAR) }));
      const realSet = buildQuestions(input({ cedula: c, count }));
      assertShape(decoySet, count);
      assertShape(realSet, count);
      const structure = (set: QuestionSet) => set.questions.map((q) => [q.id, q.kind, q.options.map((o) => (o.id === NONE_OPTION_ID ? o.id : OPTION_ID.test(o.id)))]);
      assert.deepEqual(structure(decoySet), structure(realSet));
    }
  }
  // A decoy built from a tiny pool still gives full questions.
  const tiny = decoyHistory(SECRET, cedula(7), ['Única S.A.'], CURRENT_YEAR);
  assertShape(buildQuestions(input({ cedula: cedula(7), history: tiny, employerPool: ['Única S.A.'] })), 5);
});

test('answersMatch: true for the key, false for any wrong, missing or non-string answer', () => {
  const set = buildQuestions(input());
  const key = set.answerKey;
  assert.equal(answersMatch(key, { ...key }), true);
  assert.equal(answersMatch(key, { ...key, extra: 'whatever', q9: 1 }), true);
  for (const q of set.questions) {
    for (const option of q.options) {
      if (option.id === key[q.id]) continue;
      assert.equal(answersMatch(key, { ...key, [q.id]: option.id }), false, `${q.id} wrong`);
    }
    const missing: Record<string, unknown> = { ...key };
    delete missing[q.id];
    assert.equal(answersMatch(key, missing), false, `${q.id} missing`);
    for (const odd of [null, undefined, 1, [key[q.id]], { id: key[q.id] }, true]) {
      assert.equal(answersMatch(key, { ...key, [q.id]: odd }), false, `${q.id} as ${JSON.stringify(odd)}`);
    }
  }
  assert.equal(answersMatch(key, {}), false);
  assert.equal(answersMatch({}, {}), true, 'no questions asked (unlock): nothing to get wrong');
  // An inherited property is not an answer.
  assert.equal(answersMatch({ q1: 'toString' }, {}), false);
});

test('answersMatch reads every answer even when the first is wrong', () => {
  const set = buildQuestions(input());
  const read = new Set<string | symbol>();
  const answers = new Proxy({ ...set.answerKey, q1: 'wrong' } as Record<string, unknown>, {
    get(target, property, receiver) {
      read.add(property);
      return Reflect.get(target, property, receiver);
    },
  });
  assert.equal(answersMatch(set.answerKey, answers), false);
  for (const q of set.questions) assert.ok(read.has(q.id), `${q.id} not examined`);
});
