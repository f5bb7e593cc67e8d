import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NONE_OPTION_ID, buildQuestions, decoyHistory, type QuestionSet } from '../../src/domain/knowledge-questions.ts';
import { CEDULAS, REFERENCE_YEAR, OPTION_ID, POOL, SECRET, assertShape, cedula, correctText, input, job, question, samplesFor, texts } from '../support/kba-fixtures.ts';

/** Knowledge questions for people without a usable history: the decoy history made up for them, and the questions on it. */

test('decoy histories are plausible, stable, and sometimes empty', () => {
  const sizes = new Set<number>();
  for (let n = 0; n < 200; n++) {
    const c = cedula(9000 + n);
    const decoy = decoyHistory(SECRET, c, samplesFor(POOL, c).decoy, REFERENCE_YEAR);
    assert.deepEqual(decoyHistory(SECRET, c, samplesFor(POOL, c).decoy, REFERENCE_YEAR), decoy);
    sizes.add(decoy.length);
    assert.ok(decoy.length <= 4);
    assert.equal(new Set(decoy.map((f) => f.empleador)).size, decoy.length);
    for (const fact of decoy) {
      assert.ok(POOL.includes(fact.empleador));
      assert.match(fact.rucEmpleador, /^\d{2}9\d{7}001$/);
      assert.match(fact.fechaInicio, /^\d{4}-\d{2}-\d{2}$/);
      assert.ok(Number(fact.fechaInicio.slice(0, 4)) < REFERENCE_YEAR);
      if (fact.fechaFin !== null) {
        assert.ok(fact.fechaFin >= fact.fechaInicio && Number(fact.fechaFin.slice(0, 4)) < REFERENCE_YEAR);
      }
    }
    for (let i = 1; i < decoy.length; i++) assert.ok(decoy[i]!.fechaInicio > decoy[i - 1]!.fechaFin!, 'jobs follow one another');
  }
  assert.deepEqual([...sizes].sort(), [0, 1, 2, 3, 4]);
  assert.notDeepEqual(decoyHistory('another-secret', CEDULAS[0]!, samplesFor(POOL, CEDULAS[0]!).decoy, REFERENCE_YEAR), decoyHistory(SECRET, CEDULAS[0]!, samplesFor(POOL, CEDULAS[0]!).decoy, REFERENCE_YEAR));
});

test('questions on a decoy look exactly like questions on a real person', () => {
  for (let n = 0; n < 50; n++) {
    const c = cedula(9000 + n);
    for (const count of [3, 5]) {
      const decoySet = buildQuestions(input({ cedula: c, count, history: decoyHistory(SECRET, c, samplesFor(POOL, c).decoy, REFERENCE_YEAR) }));
      const realSet = buildQuestions(input({ cedula: c, count }));
      assertShape(decoySet, count);
      assertShape(realSet, count);
      const structure = (set: QuestionSet) => set.questions.map((q) => [q.id, q.kind, q.options.map((o) => (o.id === NONE_OPTION_ID ? o.id : OPTION_ID.test(o.id)))]);
      assert.deepEqual(structure(decoySet), structure(realSet));
    }
  }
  // A decoy built from a tiny registry still gives full questions.
  const tiny = decoyHistory(SECRET, cedula(7), samplesFor(['Única S.A.'], cedula(7)).decoy, REFERENCE_YEAR);
  assertShape(buildQuestions(input({ cedula: cedula(7), history: tiny, pool: ['Única S.A.'] })), 5);
});

test('a job started after the reference year is never shown: no decoy could have it, so "Ninguno" is the answer', () => {
  const later = [job('Empresa 040 S.A.', `${REFERENCE_YEAR + 2}-05-02`, null)];
  const decoyYears = new Set<number>();
  for (let n = 0; n < 200; n++) {
    const c = cedula(9000 + n);
    const set = buildQuestions(input({ cedula: c, count: 5, history: decoyHistory(SECRET, c, samplesFor(POOL, c).decoy, REFERENCE_YEAR) }));
    for (const kind of ['first_year', 'last_start_year']) for (const text of texts(question(set, kind))) decoyYears.add(Number(text));
  }
  assert.ok(Math.max(...decoyYears) <= REFERENCE_YEAR, 'decoys show no year after the reference year');
  for (const c of CEDULAS.slice(0, 20)) {
    const set = buildQuestions(input({ cedula: c, count: 5, history: later }));
    for (const kind of ['first_year', 'last_start_year']) {
      const asked = question(set, kind);
      assert.ok(texts(asked).every((text) => Number(text) <= REFERENCE_YEAR), `${kind}: ${texts(asked).join(', ')}`);
      assert.equal(correctText(set, asked), null, `${kind}: the right answer is "Ninguno de los anteriores"`);
    }
  }
});
