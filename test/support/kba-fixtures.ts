import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { cedulaCheckDigit } from '../../src/domain/cedula.ts';
import { samplePoints, splitSamples, type EmployerSamples, type RegistrySample } from '../../src/domain/kba-draws.ts';
import {
  NONE_OPTION_ID,
  QUESTION_KINDS,
  type EmploymentFact,
  type KnowledgeQuestion,
  type QuestionInput,
  type QuestionSet,
} from '../../src/domain/knowledge-questions.ts';

/**
 * What the knowledge-question tests (test/domain/knowledge-questions*.test.ts) share: a
 * secret, a year, cédulas, an employer pool sampled as the registry would be, a history,
 * and helpers that read a question set and check its shape.
 */

export const SECRET = 'test-secret-0123456789abcdef';
export const REFERENCE_YEAR = 2025;
export const OPTION_ID = /^[A-Za-z0-9_-]{10}$/;

/** Valid cédulas from Pichincha, numbered. */
export function cedula(n: number): string {
  const firstNine = `17${String(n).padStart(7, '0')}`;
  return `${firstNine}${cedulaCheckDigit(firstNine)}`;
}
export const CEDULAS = Array.from({ length: 50 }, (_, i) => cedula(1000 + i * 37));

export const POOL = Array.from({ length: 200 }, (_, i) => `Empresa ${String(i).padStart(3, '0')} S.A.`);

export function job(empleador: string, fechaInicio: string, fechaFin: string | null, ruc = '1790012345001'): EmploymentFact {
  return { rucEmpleador: ruc, empleador, fechaInicio, fechaFin };
}

/** Deliberately not in date order: the generator must not rely on the caller's order. */
export const HISTORY: EmploymentFact[] = [
  job('Empresa 010 S.A.', '2012-03-01', '2016-08-31'),
  job('Empresa 020 S.A.', '2019-02-01', null),
  job('Empresa 005 S.A.', '2004-07-15', '2011-12-31'),
  job('Empresa 030 S.A.', '2016-09-01', '2019-01-15'),
];

/** One employment row of a test registry. */
export type PoolRow = NonNullable<RegistrySample>;

function digestOf(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

/** The row a bare pool name stands for: a current job started in 1995–2024, the year derived from the name. */
export function rowOf(name: string): PoolRow {
  const digest = digestOf(name);
  return { rucEmpleador: `17${String(digest.readUInt32BE(8)).padStart(8, '0').slice(0, 8)}001`, empleador: name, fechaInicio: `${1995 + (digest[12]! % 30)}-03-01`, fechaFin: null };
}

/** A row's place on the sample ring, as a registry would hold it with a random key; a bare name's depends on the name alone. */
function ringKey(entry: string | PoolRow): bigint {
  const text = typeof entry === 'string' ? entry : `${entry.empleador}/${entry.fechaInicio}`;
  return digestOf(text).readBigUInt64BE(0) >> 1n;
}

/** What the registry's sample query answers for `samplePoints` over a registry holding these rows (a bare name: one row, `rowOf`). */
export function samplesFor(pool: readonly (string | PoolRow)[], c: string, secret = SECRET): EmployerSamples {
  const ring = pool
    .map((entry) => ({ key: ringKey(entry), row: typeof entry === 'string' ? rowOf(entry) : entry }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const at = (point: bigint): RegistrySample => (ring.find((row) => row.key >= point) ?? ring[0])?.row ?? null;
  return splitSamples(samplePoints(secret, c).map(at));
}

/** A question input; `pool` is the registry the distractors are sampled from. */
export function input(overrides: Partial<QuestionInput> & { pool?: readonly (string | PoolRow)[] } = {}): QuestionInput {
  const { pool = POOL, ...given } = overrides;
  const base = { secret: SECRET, cedula: CEDULAS[0]!, history: HISTORY, count: 5, referenceYear: REFERENCE_YEAR, ...given };
  return { registrySamples: samplesFor(pool, base.cedula, base.secret).distractors, ...base };
}

export function question(set: QuestionSet, kind: string): KnowledgeQuestion {
  const found = set.questions.find((q) => q.kind === kind);
  assert.ok(found, `no ${kind} question`);
  return found;
}

/** The text of the correct option, or null when the answer is 'none'. */
export function correctText(set: QuestionSet, q: KnowledgeQuestion): string | null {
  const id = set.answerKey[q.id];
  if (id === NONE_OPTION_ID) return null;
  const matching = q.options.filter((o) => o.id === id);
  assert.equal(matching.length, 1, `the correct option of ${q.kind} appears exactly once`);
  return matching[0]!.text;
}

export function texts(q: KnowledgeQuestion): string[] {
  return q.options.filter((o) => o.id !== NONE_OPTION_ID).map((o) => o.text);
}

export function assertShape(set: QuestionSet, count: number): void {
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
export function historyFor(n: number): EmploymentFact[] {
  const jobs = 1 + (n % 4);
  return Array.from({ length: jobs }, (_, j) => {
    const year = 1995 + ((n * 7 + j * 6) % 28);
    return job(POOL[(n * 13 + j * 41) % POOL.length]!, `${year}-0${1 + (j % 9)}-10`, j === jobs - 1 && n % 2 === 0 ? null : `${year}-12-20`, `17900${n}${j}001`);
  });
}
