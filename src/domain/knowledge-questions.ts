import { createHash, timingSafeEqual } from 'node:crypto';
import { cleanName, Draws, EmployerSource, keyed, nameKey, withoutLegalForm, type RegistrySample } from './kba-draws.ts';

/**
 * Knowledge questions built from the affiliate's employment history (DESIGN.md §2.2).
 *
 * Everything here is deterministic: the same secret, cédula, history and samples give
 * byte-identical questions, so reloading the page never shows new options (no elimination
 * attack), and neither does a new clave: a page that changed would tell an affiliate's
 * from a decoy's, which never changes. All randomness is HMAC-SHA256 keyed by the secret,
 * so the choices cannot be predicted without it. Unknown or unverified cédulas go through
 * the same code on a decoy history (`decoyHistory`, decoy-history.ts), so their page
 * looks the same.
 */

/** One employment period; `fechaFin` null means the job is current. */
export interface EmploymentFact {
  rucEmpleador: string;
  empleador: string;
  fechaInicio: string;
  fechaFin: string | null;
}

export type QuestionKind = 'employer_any' | 'first_year' | 'last_employer' | 'first_employer' | 'last_start_year';

/** In the order they are asked: a set of N questions uses the first N kinds. */
export const QUESTION_KINDS: readonly QuestionKind[] = ['employer_any', 'first_year', 'last_employer', 'first_employer', 'last_start_year'];

/** "Ninguno de los anteriores": always the last option, and the answer when the fact does not exist. */
export const NONE_OPTION_ID = 'none';

/** `text` is an employer name or a year; the 'none' option has text '' (the page shows its translation). */
export interface QuestionOption {
  id: string;
  text: string;
}

/** Exactly 5 options: 4 shuffled, then 'none'. */
export interface KnowledgeQuestion {
  id: string;
  kind: QuestionKind;
  options: QuestionOption[];
}

export interface QuestionSet {
  questions: KnowledgeQuestion[];
  /** questionId → the id of the correct option. */
  answerKey: Record<string, string>;
}

export interface QuestionInput {
  secret: string;
  cedula: string;
  history: readonly EmploymentFact[];
  /**
   * Employment rows sampled from the registry at this cédula's points
   * (`samplePoints`, the distractors' share), in draw order: their employers are the
   * distractors (repeats and the person's own employers skipped), their start years
   * anchor the years shown when there is no true year.
   */
  registrySamples: readonly RegistrySample[];
  /** 0..5 */
  count: number;
  /** The installation's fixed year (`referenceYear` in services): the years shown end there, whatever the date. */
  referenceYear: number;
}

const SHOWN = 4;
/** Distractor years lie within this many years of the true one. */
const YEAR_SPAN = 8;
/** With no sampled start year to follow, "none" years go this far back. */
const CAREER_YEARS = 30;
export const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

interface HistorySummary {
  /** Keys of every employer in the history: none of them may be a distractor. */
  keys: Set<string>;
  /**
   * The one spelling of each employer's name key, the first in date order, keys in that
   * order too (caller-independent). Every question names an employer this way, so that the
   * options a name's questions share always hold the right one.
   */
  shownAs: Map<string, string>;
  first: EmploymentFact | undefined;
  last: EmploymentFact | undefined;
}

/** Start, then end (a current job counts as ending last), then RUC and name: a total order, so ties break the same way on every call. */
export function compareFacts(a: EmploymentFact, b: EmploymentFact): number {
  const fields = (f: EmploymentFact): string[] => [f.fechaInicio, f.fechaFin ?? '9999-12-31', f.rucEmpleador, cleanName(f.empleador)];
  const [x, y] = [fields(a), fields(b)];
  for (let i = 0; i < x.length; i++) {
    if (x[i]! < y[i]!) return -1;
    if (x[i]! > y[i]!) return 1;
  }
  return 0;
}

function summarise(history: readonly EmploymentFact[]): HistorySummary {
  const named = history.filter((f) => cleanName(f.empleador) !== '');
  const keys = new Set(named.map((f) => nameKey(f.empleador)));
  const dated = named.filter((f) => ISO_DATE.test(f.fechaInicio)).sort(compareFacts);
  const shownAs = new Map<string, string>();
  for (const fact of dated) {
    const key = nameKey(fact.empleador);
    if (!shownAs.has(key)) shownAs.set(key, cleanName(fact.empleador));
  }
  return { keys, shownAs, first: dated[0], last: dated[dated.length - 1] };
}

function startYear(fact: EmploymentFact): number {
  return Number(fact.fechaInicio.slice(0, 4));
}

function range(from: number, to: number): number[] {
  return Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => from + i);
}

/**
 * A window of up to 9 consecutive years containing `year` at a random position, ending
 * no later than `lastYear` and holding at least 4 years. Distractors drawn from such a
 * window give the true year no tell-tale place: a window centred on it would make the
 * middle option the right one.
 */
function yearWindow(draws: Draws, year: number, lastYear: number): number[] {
  const lowest = year - YEAR_SPAN;
  const highest = Math.max(lowest, Math.min(year, lastYear - (SHOWN - 1)));
  const start = Math.min(lowest + draws.below(highest - lowest + 1), lastYear - (SHOWN - 1));
  return range(start, Math.min(start + YEAR_SPAN, lastYear));
}

/**
 * What a "none" window is built round: the start year of a sampled registry row, so these
 * windows spread over the years as true years (real or decoy) do; a window that never
 * reached back as far as real ones would say the answer is not "none". Years after the
 * reference year are never true years (`showableYear`), so they are skipped.
 */
function pretendYear(draws: Draws, sampleYears: readonly number[], referenceYear: number): number {
  const years = sampleYears.filter((year) => year <= referenceYear);
  if (years.length === 0) return referenceYear - 1 - draws.below(CAREER_YEARS);
  return years[draws.below(years.length)]!;
}

/**
 * The 4 years shown, the true one first; with no true year, 4 from a plausible window.
 * Windows end at the reference year, not today's: the calendar must not move anyone's
 * options, and no year after it is ever a true year.
 */
function yearTexts(draws: Draws, year: number | null, sampleYears: readonly number[], referenceYear: number): string[] {
  if (year === null) {
    const pretend = pretendYear(draws, sampleYears, referenceYear);
    return draws.pick(yearWindow(draws, pretend, referenceYear), SHOWN).map(String);
  }
  const others = yearWindow(draws, year, referenceYear).filter((y) => y !== year);
  return [year, ...draws.pick(others, SHOWN - 1)].map(String);
}

/**
 * The year a question may show as right. One after the reference year is never shown: it
 * would be the latest option, hence the answer, and the calendar would move decoys' options
 * if windows reached past it. The true answer is then "Ninguno de los anteriores", for a
 * real person and a decoy alike.
 */
function showableYear(fact: EmploymentFact | undefined, referenceYear: number): number | null {
  if (fact === undefined) return null;
  const year = startYear(fact);
  return year <= referenceYear ? year : null;
}

/** Stable across attempts, unguessable without the secret, and silent about which option is right. */
function optionId(secret: string, cedula: string, kind: QuestionKind, text: string): string {
  return keyed(secret, 'option', cedula, kind, text).toString('base64url').slice(0, 10);
}

function questionCount(count: number): number {
  return Number.isFinite(count) ? Math.max(0, Math.min(QUESTION_KINDS.length, Math.trunc(count))) : 0;
}

/**
 * The questions and their answer key.
 *
 * Employer questions whose correct answer is the same employer show the same four names
 * (differently ordered), and otherwise share no name at all: if "último empleador" and
 * "empleador con aportes" had one name in common, it would be the answer to both; if they
 * differed by one name, those would be the answers. So distractor employers come from one
 * run of samples per cédula, not one per kind. Year questions do the same per true year.
 */
export function buildQuestions(input: QuestionInput): QuestionSet {
  const { secret, cedula, referenceYear } = input;
  const count = questionCount(input.count);
  const questions: KnowledgeQuestion[] = [];
  const answerKey: Record<string, string> = {};
  if (count === 0) return { questions, answerKey };

  const facts = summarise(input.history);
  const samples = input.registrySamples.filter((row) => row !== null);
  const employers = new EmployerSource(keyed(secret, 'employers', cedula), samples.map((row) => row.empleador), new Set(facts.keys));
  const sampleYears = samples.filter((row) => ISO_DATE.test(row.fechaInicio)).map(startYear);
  const employerSets = new Map<string, string[]>();
  const yearSets = new Map<string, string[]>();

  const employerTexts = (correct: string | null): string[] => {
    const key = correct === null ? '' : nameKey(correct);
    let texts = employerSets.get(key);
    if (texts === undefined) {
      const distractors = Array.from({ length: correct === null ? SHOWN : SHOWN - 1 }, () => employers.take());
      texts = correct === null ? distractors : [correct, ...distractors];
      employerSets.set(key, texts);
    }
    return texts;
  };
  const yearSet = (year: number | null): string[] => {
    const key = year === null ? 'none' : String(year);
    let texts = yearSets.get(key);
    if (texts === undefined) {
      texts = yearTexts(new Draws(keyed(secret, 'years', cedula, key)), year, sampleYears, referenceYear);
      yearSets.set(key, texts);
    }
    return texts;
  };

  for (let i = 0; i < count; i++) {
    const kind = QUESTION_KINDS[i]!;
    const draws = new Draws(keyed(secret, 'question', cedula, kind));
    let correct: string | null;
    let texts: string[];
    switch (kind) {
      case 'employer_any': {
        const employers = [...facts.shownAs.values()];
        correct = employers.length === 0 ? null : employers[new Draws(keyed(secret, 'asked', cedula, kind)).below(employers.length)]!;
        texts = employerTexts(correct);
        break;
      }
      case 'last_employer':
      case 'first_employer': {
        const fact = kind === 'last_employer' ? facts.last : facts.first;
        correct = fact === undefined ? null : facts.shownAs.get(nameKey(fact.empleador))!;
        texts = employerTexts(correct);
        break;
      }
      case 'first_year':
      case 'last_start_year': {
        const year = showableYear(kind === 'first_year' ? facts.first : facts.last, referenceYear);
        correct = year === null ? null : String(year);
        texts = yearSet(year);
        break;
      }
    }
    const id = `q${i + 1}`;
    // Years in order, easier to read; the true year's place among them is already random (yearTexts).
    const picked = draws.pick(texts);
    const isYear = kind === 'first_year' || kind === 'last_start_year';
    const shown = isYear ? picked.sort((a, b) => Number(a) - Number(b)) : picked;
    // Employers without their legal form, which nobody remembers: a person who worked for
    // "Servicios Galápagos C.A." and then its "Cía. Ltda." must recognise either as the answer.
    const options = shown.map((text) => ({ id: optionId(secret, cedula, kind, text), text: isYear ? text : withoutLegalForm(text) }));
    options.push({ id: NONE_OPTION_ID, text: '' });
    questions.push({ id, kind, options });
    answerKey[id] = correct === null ? NONE_OPTION_ID : optionId(secret, cedula, kind, correct);
  }
  return { questions, answerKey };
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/**
 * True only when every question in the key got its correct option id. Every question is
 * compared, in constant time, whatever happens first, so the time taken does not say
 * which answer was wrong. Extra answers are ignored; a key with no questions matches.
 */
export function answersMatch(answerKey: Record<string, string>, answers: Record<string, unknown>): boolean {
  const given: Record<string, unknown> = typeof answers === 'object' && answers !== null ? answers : {};
  let wrong = 0;
  for (const [questionId, correct] of Object.entries(answerKey)) {
    const answer = Object.hasOwn(given, questionId) ? given[questionId] : undefined;
    const same = timingSafeEqual(digest(typeof answer === 'string' ? answer : ''), digest(correct));
    wrong += typeof answer === 'string' && same ? 0 : 1;
  }
  return wrong === 0;
}
