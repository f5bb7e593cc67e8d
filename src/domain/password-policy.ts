/**
 * The clave policy (DESIGN.md §2.4). Pure: every check runs on the NFC form, and all
 * violations are reported at once so a person can fix everything in one go.
 * CLV-034 (reused) needs the stored hashes, so the service checks it, not this module.
 */
import { ZxcvbnFactory, type OptionsType } from '@zxcvbn-ts/core';
import * as zxcvbnCommon from '@zxcvbn-ts/language-common';
import * as zxcvbnEs from '@zxcvbn-ts/language-es-es';
import { dictionaryMatchers } from './dictionary-matchers.ts';

export type PasswordViolation = 'CLV-030' | 'CLV-031' | 'CLV-032' | 'CLV-033' | 'CLV-035';

export interface PasswordPolicySettings {
  minLength: number;
  /** Below this many characters, 3 of the 4 classes are required; 0 turns the rule off. */
  classesBelow: number;
}

export interface PersonalData {
  cedula: string;
  nombres: string;
  apellidos: string;
  /** YYYY-MM-DD */
  fechaNacimiento: string;
  instituteName: string;
}

export interface PasswordCheck {
  /** NFC-normalised (as typed when too long to be a clave), never truncated. */
  password: string;
  /** All at once, in code order, no duplicates. */
  violations: PasswordViolation[];
  /**
   * zxcvbn's 0–4 for how hard the clave is to guess, the lowest of its readings (below 3
   * is CLV-033): what the live meter shows. Null over the maximum length, where it is not scored.
   */
  score: number | null;
}

export const PASSWORD_MAX_LENGTH = 128;

/** zxcvbn scores 0–4; 3 means "safely unguessable: moderate protection from offline attacks". */
const MIN_SCORE = 3;

// Each l33t reading costs another dictionary pass: the default cap (100) took ~1 s on
// 128 random characters; 10 finds the same common l33t passwords (P@ssw0rd, C0ntr@s3ñ4…).
const L33T_MAX_SUBSTITUTIONS = 10;

/** The policy's zxcvbn: the common and Spanish lists (exported for the matcher equivalence test). */
export const ZXCVBN_OPTIONS: OptionsType = {
  dictionary: { ...zxcvbnCommon.dictionary, ...zxcvbnEs.dictionary },
  graphs: zxcvbnCommon.adjacencyGraphs,
  translations: zxcvbnEs.translations,
  l33tMaxSubstitutions: L33T_MAX_SUBSTITUTIONS,
  // zxcvbn cuts at UTF-16 units; 128 code points may take up to 256 of them.
  maxLength: PASSWORD_MAX_LENGTH * 2,
};

let factory: ZxcvbnFactory | undefined;

/** Building the ranked dictionaries and their index takes ~300 ms, so only the first check pays it. */
function zxcvbn(): ZxcvbnFactory {
  factory ??= new ZxcvbnFactory(ZXCVBN_OPTIONS, dictionaryMatchers);
  return factory;
}

/** Counts code points, stopping past `cap`: a 1 MB paste needs no exact count. */
function codePointLength(text: string, cap: number): number {
  let count = 0;
  for (const _ of text) {
    if (++count > cap) break;
  }
  return count;
}

/** How many of lowercase, uppercase, digit, symbol (anything not a letter or digit) occur. */
function characterClasses(text: string): number {
  let lower = false;
  let upper = false;
  let digit = false;
  let symbol = false;
  for (const char of text) {
    if (/\p{Ll}/u.test(char)) lower = true;
    else if (/\p{Lu}/u.test(char)) upper = true;
    else if (/\p{Nd}/u.test(char)) digit = true;
    else if (!/\p{L}/u.test(char)) symbol = true;
  }
  return Number(lower) + Number(upper) + Number(digit) + Number(symbol);
}

function lengthOk(length: number, settings: PasswordPolicySettings): boolean {
  return length >= settings.minLength && length <= PASSWORD_MAX_LENGTH;
}

function varietyOk(password: string, length: number, settings: PasswordPolicySettings): boolean {
  if (settings.classesBelow <= 0 || length >= settings.classesBelow) return true;
  return characterClasses(password) >= 3;
}

/**
 * UTF-16 units past which what was typed is too long whatever it normalises to: 128 code
 * points take at most 256, and decomposed accents a few more. Unicode normalisation takes
 * time that grows faster than the input on long runs of combining marks (0.7 s for 60 KB),
 * so longer input is refused before it is normalised.
 */
export const PASSWORD_MAX_TYPED_UNITS = 1024;

export const typedTooLong = (text: string): boolean => text.length > PASSWORD_MAX_TYPED_UNITS;

/** The clave and its confirmation are the same once normalised (never normalising input too long to be a clave). */
function sameClave(password: string, confirmation: string): boolean {
  if (password === confirmation) return true;
  return !typedTooLong(password) && !typedTooLong(confirmation) && password.normalize('NFC') === confirmation.normalize('NFC');
}

/** The cheap checks, for the live checklist: no dictionaries, no personal data. */
export function passwordPractices(
  password: string,
  settings: PasswordPolicySettings,
): { length: boolean; variety: boolean } {
  // Too long is all there is to say about it (checkPassword).
  if (typedTooLong(password)) return { length: false, variety: true };
  const normalised = password.normalize('NFC');
  const length = codePointLength(normalised, PASSWORD_MAX_LENGTH);
  return { length: lengthOk(length, settings), variety: varietyOk(normalised, length, settings) };
}

/**
 * The rules that look at nothing of the person's: length, variety, the confirmation. What
 * can be said about a new clave to someone who has not proved they are its owner.
 */
export function impersonalViolations(password: string, confirmation: string, settings: PasswordPolicySettings): PasswordViolation[] {
  const practices = passwordPractices(password, settings);
  const violations: PasswordViolation[] = [];
  if (!practices.length) violations.push('CLV-030');
  if (!practices.variety) violations.push('CLV-031');
  if (!sameClave(password, confirmation)) violations.push('CLV-035');
  return violations;
}

/** Accent- and case-insensitive form: "José" and "JOSE" both become "jose". */
function fold(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
}

/** People write dates and numbers with these between the digits: 15/03/1985, 171003-4065. */
const SEPARATORS = /[\s./\\_-]+/g;

// Particles of compound surnames ("Del Pozo", "De los Ríos"): not personal on their own.
const NAME_PARTICLES = new Set(['del', 'las', 'los']);

const MONTHS = [
  ['enero', 'ene'],
  ['febrero', 'feb'],
  ['marzo', 'mar'],
  ['abril', 'abr'],
  ['mayo', 'may'],
  ['junio', 'jun'],
  ['julio', 'jul'],
  ['agosto', 'ago'],
  ['septiembre', 'setiembre', 'sept', 'sep', 'set'],
  ['octubre', 'oct'],
  ['noviembre', 'nov'],
  ['diciembre', 'dic'],
] as const;

function letterWords(text: string): string[] {
  return fold(text)
    .split(/[\s-]+/)
    .map((word) => word.replace(/[^\p{L}]/gu, ''))
    .filter((word) => word.length > 0);
}

/** Every 6-digit window: any run of 6+ digits of the cédula contains one. */
function cedulaTokens(cedula: string): string[] {
  const digits = cedula.replace(/\D/g, '');
  const tokens: string[] = [];
  for (let i = 0; i + 6 <= digits.length; i++) tokens.push(digits.slice(i, i + 6));
  return tokens;
}

/** The birth date as people type it, separators removed (they are removed from the password too). */
function birthDateTokens(fechaNacimiento: string): string[] {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(fechaNacimiento.trim());
  if (!match) return [];
  const [, yyyy, mm, dd] = match as unknown as [string, string, string, string];
  const yy = yyyy.slice(2);
  const d = String(Number(dd));
  const m = String(Number(mm));
  const tokens = [
    `${yyyy}${mm}${dd}`, // 1985-03-15, 19850315
    `${dd}${mm}${yyyy}`, // 15/03/1985, 15-03-1985, 15.03.1985, 15031985
    `${mm}${dd}${yyyy}`, // 03/15/1985 (US order, common on phones)
    `${d}${m}${yyyy}`, // 15/3/1985, 5/3/1985
    `${dd}${mm}${yy}`, // 150385
    `${yy}${mm}${dd}`, // 850315
    `${mm}${dd}${yy}`, // 031585
  ];
  // 15marzo1985, 15-mar-85, 5mayo1985
  for (const name of MONTHS[Number(mm) - 1] ?? []) {
    for (const day of new Set([dd, d])) tokens.push(`${day}${name}${yyyy}`, `${day}${name}${yy}`);
  }
  return tokens;
}

function nameTokens(nombres: string, apellidos: string): string[] {
  return [...letterWords(nombres), ...letterWords(apellidos)].filter(
    (word) => word.length >= 3 && !NAME_PARTICLES.has(word),
  );
}

/** The whole name and its long words. */
function instituteTokens(instituteName: string): string[] {
  const words = letterWords(instituteName);
  const tokens = words.filter((word) => word.length >= 5);
  const whole = words.join('');
  if (whole.length >= 3) tokens.push(whole);
  return tokens;
}

/** The acronym people use ("IESS", "ISS"), from the name's words of 4 letters or more. */
function instituteAcronym(instituteName: string): string | undefined {
  const acronym = letterWords(instituteName)
    .filter((word) => word.length >= 4)
    .map((word) => word[0])
    .join('');
  return acronym.length >= 3 ? acronym : undefined;
}

interface PersonalTokens {
  /** Compared with the folded password. */
  words: string[];
  /** Compared with the folded password with separators removed. */
  compact: string[];
  acronym: string | undefined;
}

function personalTokens(personal: PersonalData): PersonalTokens {
  const institute = instituteTokens(personal.instituteName);
  return {
    words: [...nameTokens(personal.nombres, personal.apellidos), ...institute],
    compact: [...cedulaTokens(personal.cedula), ...birthDateTokens(personal.fechaNacimiento), ...institute],
    acronym: instituteAcronym(personal.instituteName),
  };
}

/** Runs of letters, with letters written one by one ("I.E.S.S.", "I E S S") joined into one. */
function letterRuns(folded: string): string[] {
  const runs: string[] = [];
  let spelt = '';
  for (const run of folded.match(/\p{L}+/gu) ?? []) {
    if (run.length === 1) {
      spelt += run;
      continue;
    }
    if (spelt) runs.push(spelt);
    spelt = '';
    runs.push(run);
  }
  if (spelt) runs.push(spelt);
  return runs;
}

/**
 * An acronym is a few letters that ordinary words contain ("M-iss-ouri", "gr-is s-ombra"),
 * so a 3-letter one counts only as a run of letters of its own ("Clave-ISS", "I.S.S.");
 * from 4 letters, anywhere in one ("IESS2024", "ElIESSmio", "I-E-S-S-Quito").
 */
function containsAcronym(folded: string, acronym: string): boolean {
  return letterRuns(folded).some((run) => (acronym.length >= 4 ? run.includes(acronym) : run === acronym));
}

function containsPersonalData(password: string, tokens: PersonalTokens): boolean {
  const folded = fold(password);
  if (tokens.words.some((token) => folded.includes(token))) return true;
  if (tokens.acronym && containsAcronym(folded, tokens.acronym)) return true;
  const compact = folded.replace(SEPARATORS, '');
  return tokens.compact.some((token) => compact.includes(token));
}

/**
 * zxcvbn lowercases but does not fold accents, so the names go in both ways; its l33t
 * matcher then also catches "J0s3" for José.
 */
function zxcvbnUserInputs(personal: PersonalData, tokens: PersonalTokens): string[] {
  const accented = `${personal.nombres} ${personal.apellidos}`
    .normalize('NFC')
    .toLowerCase()
    .split(/[\s-]+/)
    .filter((word) => word.length >= 3);
  return [...new Set([...tokens.words, ...tokens.compact, ...(tokens.acronym ? [tokens.acronym] : []), ...accented])];
}

/** Crackers try word + year + "!" early; see guessScore. */
function stripEdgeSymbols(password: string): string {
  return password.replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu, '');
}

/**
 * zxcvbn adds a floor of 10^4 guesses per extra piece, so any password it splits into
 * three pieces scores ≥ 3: "Ecuador2024" scores 1 but "Ecuador2024!" 3. Scoring the
 * password without edge symbols too closes that gap: the lower score counts.
 * Callers pass at most PASSWORD_MAX_LENGTH code points.
 */
function guessScore(password: string, userInputs: string[]): number {
  const candidates = new Set([password, stripEdgeSymbols(password)]);
  return Math.min(...[...candidates].map((candidate) => zxcvbn().check(candidate, userInputs).score));
}

/**
 * Nobody's personal data, only the institute's name: what a clave is checked against
 * before its owner has proved who they are (Mi cuenta's live meter, ahead of the current clave).
 */
export function noPersonalData(instituteName: string): PersonalData {
  return { cedula: '', nombres: '', apellidos: '', fechaNacimiento: '', instituteName };
}

export function checkPassword(
  password: string,
  confirmation: string,
  personal: PersonalData,
  settings: PasswordPolicySettings,
): PasswordCheck {
  const confirmed = sameClave(password, confirmation);
  // Over the maximum, 030 says what to fix, and nothing else is looked at: zxcvbn on a huge
  // input would stall, and the personal-data rule would answer for many guesses at once.
  const tooLong = { password, violations: confirmed ? ['CLV-030'] : ['CLV-030', 'CLV-035'], score: null } satisfies PasswordCheck;
  if (typedTooLong(password)) return tooLong;
  const normalised = password.normalize('NFC');
  const length = codePointLength(normalised, PASSWORD_MAX_LENGTH);
  if (length > PASSWORD_MAX_LENGTH) return { ...tooLong, password: normalised };
  const tokens = personalTokens(personal);
  const violations: PasswordViolation[] = [];

  if (!lengthOk(length, settings)) violations.push('CLV-030');
  if (!varietyOk(normalised, length, settings)) violations.push('CLV-031');
  if (containsPersonalData(normalised, tokens)) violations.push('CLV-032');
  const score = guessScore(normalised, zxcvbnUserInputs(personal, tokens));
  if (score < MIN_SCORE) violations.push('CLV-033');
  if (!confirmed) violations.push('CLV-035');

  return { password: normalised, violations, score };
}
