import { test } from 'node:test';
import assert from 'node:assert/strict';
import { QUESTION_KINDS, answersMatch, buildQuestions } from '../../src/domain/knowledge-questions.ts';
import { withoutLegalForm } from '../../src/domain/kba-draws.ts';
import { CEDULAS, assertShape, correctText, historyFor, HISTORY, input, job, question } from '../support/kba-fixtures.ts';

/**
 * Knowledge questions: the kinds and their order, determinism, the correct option against
 * the history, the count, and checking answers. (Distractors and option ids:
 * knowledge-questions-options.test.ts; decoy histories: knowledge-questions-decoys.test.ts.)
 */

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
  const names = new Set(HISTORY.map((f) => withoutLegalForm(f.empleador)));
  assert.ok(names.has(correctText(set, question(set, 'employer_any'))!));
  assert.equal(correctText(set, question(set, 'first_year')), '2004');
  assert.equal(correctText(set, question(set, 'last_employer')), 'Empresa 020');
  assert.equal(correctText(set, question(set, 'first_employer')), 'Empresa 005');
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
    assert.ok(history.some((f) => withoutLegalForm(f.empleador) === correctText(set, question(set, 'employer_any'))));
    assert.equal(correctText(set, question(set, 'first_employer')), withoutLegalForm(first.empleador));
    assert.equal(correctText(set, question(set, 'last_employer')), withoutLegalForm(last.empleador));
    assert.equal(correctText(set, question(set, 'first_year')), first.fechaInicio.slice(0, 4));
    assert.equal(correctText(set, question(set, 'last_start_year')), last.fechaInicio.slice(0, 4));
  });
});

test('ties on the latest start go to the current job, whatever the caller order', () => {
  const history = [job('Empresa 001 S.A.', '2020-01-01', '2021-06-30'), job('Empresa 002 S.A.', '2020-01-01', null), job('Empresa 003 S.A.', '2010-01-01', '2019-12-31')];
  for (const order of [history, [...history].reverse()]) {
    const set = buildQuestions(input({ history: order }));
    assert.equal(correctText(set, question(set, 'last_employer')), 'Empresa 002');
    assert.equal(correctText(set, question(set, 'first_employer')), 'Empresa 003');
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
