import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decoyHistory } from '../../src/domain/decoy-history.ts';
import { withoutLegalForm } from '../../src/domain/kba-draws.ts';
import { NONE_OPTION_ID, buildQuestions, type QuestionSet } from '../../src/domain/knowledge-questions.ts';
import {
  CEDULAS,
  REFERENCE_YEAR,
  OPTION_ID,
  POOL,
  SECRET,
  assertShape,
  cedula,
  correctText,
  input,
  job,
  question,
  rowOf,
  samplesFor,
  texts,
  type PoolRow,
} from '../support/kba-fixtures.ts';

/** Knowledge questions for people without a usable history: the decoy history made up for them, and the questions on it. */

test('decoy histories are sampled registry rows, stable, one after another, and sometimes empty', () => {
  const sizes = new Set<number>();
  const rows = new Map(POOL.map((name) => [name, rowOf(name)]));
  for (let n = 0; n < 200; n++) {
    const c = cedula(9000 + n);
    const decoy = decoyHistory(SECRET, c, samplesFor(POOL, c).decoy);
    assert.deepEqual(decoyHistory(SECRET, c, samplesFor(POOL, c).decoy), decoy);
    sizes.add(decoy.length);
    assert.ok(decoy.length <= 4);
    assert.equal(new Set(decoy.map((f) => f.empleador)).size, decoy.length);
    for (const fact of decoy) {
      const row = rows.get(fact.empleador);
      assert.ok(row, `${fact.empleador} is not in the registry`);
      assert.equal(fact.rucEmpleador, row.rucEmpleador);
      assert.equal(fact.fechaInicio, row.fechaInicio, 'the sampled start is kept');
      if (fact.fechaFin !== null) assert.ok(fact.fechaFin >= fact.fechaInicio);
    }
    for (let i = 1; i < decoy.length; i++) assert.ok(decoy[i]!.fechaInicio > decoy[i - 1]!.fechaFin!, 'jobs follow one another');
  }
  assert.deepEqual([...sizes].sort(), [0, 1, 2, 3, 4]);
  assert.deepEqual(decoyHistory(SECRET, CEDULAS[0]!, samplesFor([], CEDULAS[0]!).decoy), [], 'an empty registry gives an empty history');
  const anyOther = CEDULAS.some((c) => JSON.stringify(decoyHistory('another-secret', c, samplesFor(POOL, c).decoy)) !== JSON.stringify(decoyHistory(SECRET, c, samplesFor(POOL, c).decoy)));
  assert.ok(anyOther, 'another secret gives other decoys');
});

test('a sampled job that ran past the next start ends the day before it, and the starts stay', () => {
  const row = (empleador: string, fechaInicio: string, fechaFin: string | null): PoolRow => ({ rucEmpleador: '1790012345001', empleador, fechaInicio, fechaFin });
  const samples = [row('B S.A.', '2001-03-01', null), row('A S.A.', '1999-01-01', '2005-12-31'), row('C S.A.', '2001-03-01', null), row('a s.a.', '2010-01-01', null)];
  const c = CEDULAS.find((x) => decoyHistory(SECRET, x, samples).length === 2)!;
  assert.deepEqual(decoyHistory(SECRET, c, samples), [row('A S.A.', '1999-01-01', '2001-02-28'), row('B S.A.', '2001-03-01', null)]);
});

/** Jobs starting every year from 1975 to two years after the reference year, eight each, under 408 employers. */
const LONG_REGISTRY: PoolRow[] = Array.from({ length: 408 }, (_, i) => ({
  rucEmpleador: `17${String(i).padStart(8, '0')}001`,
  empleador: `Empresa ${String(i).padStart(3, '0')} S.A.`,
  fechaInicio: `${1975 + (i % 51)}-0${1 + (i % 9)}-15`,
  fechaFin: null,
}));

test('decoys show the years real jobs started, well before any fixed window and in the reference year itself', () => {
  const answers = new Set<number>();
  const shown = new Set<number>();
  for (let n = 0; n < 300; n++) {
    const c = cedula(20_000 + n);
    const set = buildQuestions(input({ cedula: c, pool: LONG_REGISTRY, history: decoyHistory(SECRET, c, samplesFor(LONG_REGISTRY, c).decoy) }));
    for (const kind of ['first_year', 'last_start_year']) {
      const q = question(set, kind);
      const answer = correctText(set, q);
      if (answer !== null) answers.add(Number(answer));
      for (const text of texts(q)) shown.add(Number(text));
    }
  }
  assert.ok(Math.min(...answers) < REFERENCE_YEAR - 38, `earliest decoy year ${Math.min(...answers)}`);
  assert.ok(answers.has(REFERENCE_YEAR), 'some decoy started a job in the reference year');
  assert.ok(Math.min(...shown) <= 1977, `earliest year shown ${Math.min(...shown)}`);
  assert.ok(Math.max(...shown) <= REFERENCE_YEAR);
});

test('with no true year, the years shown reach as far back as the registry\'s', () => {
  const shown = new Set<number>();
  for (let n = 0; n < 100; n++) {
    const set = buildQuestions(input({ cedula: cedula(30_000 + n), pool: LONG_REGISTRY, history: [] }));
    for (const kind of ['first_year', 'last_start_year']) for (const text of texts(question(set, kind))) shown.add(Number(text));
  }
  assert.ok(Math.min(...shown) < REFERENCE_YEAR - 38, `earliest year shown ${Math.min(...shown)}`);
  assert.ok(Math.max(...shown) <= REFERENCE_YEAR);
});

test('over a 3-employer registry, a decoy never takes a made-up employer', () => {
  const names = ['Alfa S.A.', 'Beta Cía. Ltda.', 'Gamma S.A.'];
  const shown = names.map(withoutLegalForm);
  const registry: PoolRow[] = names.map((empleador, i) => ({ rucEmpleador: `179000000${i}001`, empleador, fechaInicio: `${2000 + 5 * i}-06-01`, fechaFin: null }));
  const sizes = new Set<number>();
  for (let n = 0; n < 200; n++) {
    const c = cedula(40_000 + n);
    const decoy = decoyHistory(SECRET, c, samplesFor(registry, c).decoy);
    sizes.add(decoy.length);
    for (const fact of decoy) assert.ok(names.includes(fact.empleador), `${fact.empleador} is made up`);
    const set = buildQuestions(input({ cedula: c, pool: registry, history: decoy }));
    for (const kind of ['employer_any', 'last_employer', 'first_employer']) {
      const q = question(set, kind);
      const answer = correctText(set, q);
      assert.ok(answer === null || shown.includes(answer), `${kind}: the answer ${answer} is made up`);
      assert.ok(texts(q).some((text) => shown.includes(text)), `${kind}: every option is made up`);
    }
  }
  assert.deepEqual([...sizes].sort(), [0, 1, 2, 3], 'as many jobs as the registry has employers, at most');
});

test('questions on a decoy look exactly like questions on a real person', () => {
  for (let n = 0; n < 50; n++) {
    const c = cedula(9000 + n);
    for (const count of [3, 5]) {
      const decoySet = buildQuestions(input({ cedula: c, count, history: decoyHistory(SECRET, c, samplesFor(POOL, c).decoy) }));
      const realSet = buildQuestions(input({ cedula: c, count }));
      assertShape(decoySet, count);
      assertShape(realSet, count);
      const structure = (set: QuestionSet) => set.questions.map((q) => [q.id, q.kind, q.options.map((o) => (o.id === NONE_OPTION_ID ? o.id : OPTION_ID.test(o.id)))]);
      assert.deepEqual(structure(decoySet), structure(realSet));
    }
  }
  // A decoy built from a tiny registry still gives full questions.
  const tiny = decoyHistory(SECRET, cedula(7), samplesFor(['Única S.A.'], cedula(7)).decoy);
  assertShape(buildQuestions(input({ cedula: cedula(7), history: tiny, pool: ['Única S.A.'] })), 5);
});

test('a job started after the reference year is never shown: no decoy could have it, so "Ninguno" is the answer', () => {
  const later = [job('Empresa 040 S.A.', `${REFERENCE_YEAR + 2}-05-02`, null)];
  const decoyYears = new Set<number>();
  for (let n = 0; n < 200; n++) {
    const c = cedula(9000 + n);
    const set = buildQuestions(input({ cedula: c, count: 5, history: decoyHistory(SECRET, c, samplesFor(POOL, c).decoy) }));
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
