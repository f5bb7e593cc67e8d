/**
 * zxcvbn-ts's dictionary matchers, made fast and kept exact. The library looks every
 * substring of the clave up in each of its 20 word lists, then again for each l33t
 * reading, reversed, and for word sequences: most of a check's time, which was more than
 * the argon2id hash that follows it. Here the lists are one index that also holds every
 * word's beginnings, so the scan from a position stops as soon as no word starts that
 * way. Same matches, in the same order, as the library's (test/domain/dictionary-matchers
 * compares them); scoring and feedback stay the library's. Registered under the built-in
 * matchers' names, which the library lets custom matchers replace.
 */
import { MatcherBaseClass, type DictionaryMatch, type L33tMatch, type Matcher, type MatchOptions, type Options, type RankedDictionaries, type RankedDictionary } from '@zxcvbn-ts/core';
import dictionaryFeedback from '@zxcvbn-ts/core/dist/matcher/dictionary/feedback.mjs';
import dictionaryScoring from '@zxcvbn-ts/core/dist/matcher/dictionary/scoring.mjs';
import getCleanPasswords, { type PasswordWithSubs } from '@zxcvbn-ts/core/dist/matcher/dictionary/variants/matching/unmunger/getCleanPasswords.mjs';
import wordSequenceFeedback from '@zxcvbn-ts/core/dist/matcher/wordSequence/feedback.mjs';
import MatchWordSequence from '@zxcvbn-ts/core/dist/matcher/wordSequence/matching.mjs';
import wordSequenceScoring from '@zxcvbn-ts/core/dist/matcher/wordSequence/scoring.mjs';

/** The list a word is in and its rank there. */
type Hit = readonly [dictionaryName: string, rank: number];

const NOT_A_WORD: readonly Hit[] = Object.freeze([]);

/**
 * Every word of some lists with its hits in list order, and every beginning of a word
 * (with no hits unless it is a word too): a key that is missing starts no word.
 */
class WordIndex {
  private readonly entries = new Map<string, readonly Hit[]>();

  constructor(dictionaries: RankedDictionaries) {
    for (const [name, ranked] of Object.entries(dictionaries)) {
      for (const [word, rank] of Object.entries(ranked)) this.add(word, [name, rank]);
    }
  }

  lookup(key: string): readonly Hit[] | undefined {
    return this.entries.get(key);
  }

  private add(word: string, hit: Hit): void {
    const hits = this.entries.get(word);
    this.entries.set(word, hits && hits !== NOT_A_WORD ? [...hits, hit] : [hit]);
    // A beginning already there had its own beginnings added with it.
    for (let end = word.length - 1; end > 0 && !this.entries.has(word.slice(0, end)); end--) {
      this.entries.set(word.slice(0, end), NOT_A_WORD);
    }
  }
}

const USER_INPUTS = 'userInputs';

interface OptionIndexes {
  all: WordIndex;
  wordSequences: WordIndex;
}

const optionIndexes = new WeakMap<Options, OptionIndexes>();
const userInputIndexes = new WeakMap<RankedDictionary, WordIndex>();

/** Built once per zxcvbn configuration (~150 ms), when the first clave is checked. */
function indexesFor(options: Options): OptionIndexes {
  let indexes = optionIndexes.get(options);
  if (!indexes) {
    if (options.useLevenshteinDistance) throw new Error('dictionary-matchers: useLevenshteinDistance is not supported');
    if (USER_INPUTS in options.rankedDictionaries) throw new Error(`dictionary-matchers: a list may not be called "${USER_INPUTS}"`);
    const wordSequences = Object.fromEntries(Object.entries(options.rankedDictionaries).filter(([name]) => options.isWordSequence(name)));
    indexes = { all: new WordIndex(options.rankedDictionaries), wordSequences: new WordIndex(wordSequences) };
    optionIndexes.set(options, indexes);
  }
  return indexes;
}

/** The person's own words, one index per check (every matcher of a check gets the same list). */
function userInputIndex(matchOptions: MatchOptions): WordIndex {
  const ranked = matchOptions.userInputsOptions?.rankedDictionary ?? {};
  let index = userInputIndexes.get(ranked);
  if (!index) {
    index = new WordIndex({ [USER_INPUTS]: ranked });
    userInputIndexes.set(ranked, index);
  }
  return index;
}

/** Every (i, j, list) where the lowercased substring is a word, ordered as the library orders them. */
function scan(password: string, indexes: readonly WordIndex[]): DictionaryMatch[] {
  const matches: DictionaryMatch[] = [];
  const lower = password.toLowerCase();
  for (let i = 0; i < password.length; i++) {
    for (let j = i; j < password.length; j++) {
      const matchedWord = lower.slice(i, j + 1);
      let starts = false;
      for (const index of indexes) {
        const hits = index.lookup(matchedWord);
        if (!hits) continue;
        starts = true;
        for (const [dictionaryName, rank] of hits) {
          matches.push({ pattern: 'dictionary', i, j, token: password.slice(i, j + 1), matchedWord, rank, dictionaryName, reversed: false, l33t: false });
        }
      }
      if (!starts) break;
    }
  }
  return matches;
}

/** Plain words: all the lists and the person's own words; for word sequences, only the sequence lists. */
class DictionaryMatching extends MatcherBaseClass {
  constructor(
    options: Options,
    private readonly wordSequenceCheck = false,
  ) {
    super(options);
  }

  match(matchOptions: MatchOptions): DictionaryMatch[] {
    const indexes = indexesFor(this.options);
    if (this.wordSequenceCheck) return scan(matchOptions.password, [indexes.wordSequences]);
    return scan(matchOptions.password, [indexes.all, userInputIndex(matchOptions)]);
  }
}

/** Words written backwards ("acinom"). */
class ReverseMatching extends DictionaryMatching {
  override match(matchOptions: MatchOptions): DictionaryMatch[] {
    const { password } = matchOptions;
    const reverse = (text: string) => text.split('').reverse().join('');
    return super.match({ ...matchOptions, password: reverse(password) }).map((match) => ({
      ...match,
      token: reverse(match.token),
      reversed: true,
      i: password.length - 1 - match.j,
      j: password.length - 1 - match.i,
    }));
  }
}

/** Where a match in an l33t reading lies in the clave as typed, and the substitutions in it. */
function asTyped(reading: PasswordWithSubs, i: number, j: number) {
  let typedI = i;
  let typedJ = j;
  const subs: { letter: string; substitution: string }[] = [];
  const seen = new Set<string>();
  for (const change of reading.changes) {
    const shift = change.substitution.length - change.letter.length;
    if (change.i < i) {
      typedI += shift;
      typedJ += shift;
    } else if (change.i <= j) {
      typedJ += shift;
      const key = `${change.letter}-${change.substitution}`;
      if (!seen.has(key)) {
        seen.add(key);
        subs.push({ letter: change.letter, substitution: change.substitution });
      }
    }
  }
  return { i: typedI, j: typedJ, subs, subDisplay: subs.map((sub) => `${sub.substitution} -> ${sub.letter}`).join(', ') };
}

const sameMatch = (a: L33tMatch, b: L33tMatch) => a.i === b.i && a.j === b.j && a.dictionaryName === b.dictionaryName && a.matchedWord === b.matchedWord;

/** Words in l33t ("p4ssw0rd"): each reading the library's unmunger gives, until one covers the whole clave. */
class L33tMatching extends DictionaryMatching {
  override match(matchOptions: MatchOptions): L33tMatch[] {
    const { password } = matchOptions;
    const matches: L33tMatch[] = [];
    let wholeClave = false;
    for (const reading of getCleanPasswords(password, this.options.l33tMaxSubstitutions, this.options.trieNodeRoot)) {
      if (wholeClave) break;
      for (const match of super.match({ ...matchOptions, password: reading.password })) {
        const typed = asTyped(reading, match.i, match.j);
        wholeClave ||= typed.i === 0 && typed.j === password.length - 1;
        const token = password.slice(typed.i, typed.j + 1);
        const found: L33tMatch = { ...match, l33t: true, token, ...typed };
        // Only what actually substitutes something, once.
        if (token.toLowerCase() !== match.matchedWord && !matches.some((other) => sameMatch(other, found))) matches.push(found);
      }
    }
    // Single l33t characters ("4" for "a") would only be noise.
    return matches.filter((match) => match.token.length > 1);
  }
}

/** The library's word-sequence matcher over these dictionary matchers. */
class WordSequenceMatching extends MatchWordSequence {
  constructor(options: Options) {
    super(options);
    this.dictionary = new DictionaryMatching(options, true);
    this.dictionaryL33t = new L33tMatching(options, true);
    this.dictionaryReverse = new ReverseMatching(options, true);
  }
}

const dictionary = { feedback: dictionaryFeedback, scoring: dictionaryScoring };

/** For ZxcvbnFactory's second argument. */
export const dictionaryMatchers: Record<string, Matcher> = {
  dictionary: { ...dictionary, Matching: DictionaryMatching },
  dictionaryL33t: { ...dictionary, Matching: L33tMatching },
  dictionaryReverse: { ...dictionary, Matching: ReverseMatching },
  wordSequence: { feedback: wordSequenceFeedback, scoring: wordSequenceScoring, Matching: WordSequenceMatching },
};
