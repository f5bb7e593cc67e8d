/**
 * The clave policy (DESIGN.md §2.4). Pure: every check runs on the NFC form, and all
 * violations are reported at once so a person can fix everything in one go.
 * CLV-034 (reused) needs the stored hashes, so the service checks it, not this module.
 */
import { ZxcvbnFactory, type OptionsType } from '@zxcvbn-ts/core';
import * as zxcvbnCommon from '@zxcvbn-ts/language-common';
import * as zxcvbnEs from '@zxcvbn-ts/language-es-es';
import { dictionaryMatchers } from './dictionary-matchers.ts';
import { containsPersonalData, personalTokens, zxcvbnUserInputs, type PersonalData } from './personal-data.ts';

export { noPersonalData, type PersonalData } from './personal-data.ts';

export type PasswordViolation = 'CLV-030' | 'CLV-031' | 'CLV-032' | 'CLV-033' | 'CLV-035';

export interface PasswordPolicySettings {
  minLength: number;
  /** Below this many characters, 3 of the 4 classes are required; 0 turns the rule off. */
  classesBelow: number;
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

export function checkPassword(
  password: string,
  confirmation: string,
  personal: PersonalData,
  settings: PasswordPolicySettings,
): PasswordCheck {
  const confirmed = sameClave(password, confirmation);
  // Over the maximum, 030 says what to fix, and nothing else is looked at: zxcvbn on a huge
  // input would stall, and the personal-data rule would answer for many guesses at once.
  const tooLong = (kept: string): PasswordCheck => ({ password: kept, violations: confirmed ? ['CLV-030'] : ['CLV-030', 'CLV-035'], score: null });
  if (typedTooLong(password)) return tooLong(password);
  const normalised = password.normalize('NFC');
  const length = codePointLength(normalised, PASSWORD_MAX_LENGTH);
  if (length > PASSWORD_MAX_LENGTH) return tooLong(normalised);
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
