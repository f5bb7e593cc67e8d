/**
 * The help page's search of the error catalogue (errors.ts): a code pasted anywhere in the
 * query, or the words a person typed, accent-, case- and misspelling-tolerant, in either
 * language.
 */
import { ERROR_CODES, errorEntry, isErrorCode, rawEntry, type CatalogueLocale, type ErrorCode, type ErrorEntry } from './errors.ts';


const MAX_QUERY_LENGTH = 200;
const DEFAULT_LIMIT = 3;
/** Below this a match is a coincidence (one shared common word), not an answer. */
const MIN_SCORE = 0.75;
/** Runners-up far behind the best match are noise, not alternatives. */
const MIN_SHARE_OF_BEST = 0.2;
const STEM_LENGTH = 5;

/** Accent- and case-insensitive, punctuation collapsed to single spaces. */
function normalise(text: string): string {
  return text
    .toLowerCase()
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

// Written without accents: they are compared after `normalise`.
const STOP_WORDS: ReadonlySet<string> = new Set(
  (
    // Spanish
    'a al algo alguien alguno alguna ante aqui asi aun bien buenas buenos cada como con cual cuando de del desde ' +
    'donde dice el ella ellos en entre era es esa ese eso esta estan estas este esto estos fue ha hace hay he ' +
    'hola la las le les lo los mas me mi mis muy nada ni no nos o para pero por porque pues que qu quiero se ' +
    'ser si sin sobre son su sus tambien te tengo tiene tu un una uno unos unas usted y ya yo dias tardes noches ' +
    'gracias favor ayuda ayudeme error codigo clv ' +
    // English
    'about am an and any are as at be been but by can could did do does doesn don dont for from get got had has ' +
    'have hello help hi how i if im in is it its just me my no not of on or please so that the this to too was ' +
    'what when where which why will with won would you your code'
  ).split(' '),
);

function tokens(normalised: string): string[] {
  return normalised.split(' ').filter((t) => t.length > 1 && !STOP_WORDS.has(t));
}

// Crude on purpose: a shared 5-letter prefix catches "bloqueada/bloquearon", "caducó/caducado".
// Numbers stay whole: a cédula is not "123456".
function stem(token: string): string {
  return token.length > STEM_LENGTH && !/^\d+$/.test(token) ? token.slice(0, STEM_LENGTH) : token;
}

interface Phrase {
  padded: string;
  words: string[];
  totalWords: number;
}

interface IndexedEntry {
  code: ErrorCode;
  phrases: Phrase[];
  keywordTokens: Set<string>;
  textTokens: Set<string>;
  keywordStems: Set<string>;
  textStems: Set<string>;
  /** The title's, both languages: what the entry is about, not what it mentions. */
  titleStems: Set<string>;
}

function stripPlaceholders(text: string): string {
  return text.replace(/\{\w+\}/g, ' ');
}

function indexEntry(code: ErrorCode): IndexedEntry {
  const phrases = new Map<string, Phrase>();
  const keywordTokens = new Set<string>();
  const textTokens = new Set<string>();
  const titleStems = new Set<string>();
  for (const locale of ['es', 'en'] as const) {
    const raw = rawEntry(code, locale);
    for (const keyword of raw.keywords) {
      const norm = normalise(keyword);
      if (norm === '' || phrases.has(norm)) continue;
      const words = tokens(norm);
      phrases.set(norm, { padded: ` ${norm} `, words, totalWords: norm.split(' ').length });
      for (const t of words) keywordTokens.add(t);
    }
    for (const t of tokens(normalise(stripPlaceholders(`${raw.title} ${raw.cause}`)))) textTokens.add(t);
    for (const t of tokens(normalise(stripPlaceholders(raw.title)))) titleStems.add(stem(t));
  }
  return {
    code,
    phrases: [...phrases.values()],
    keywordTokens,
    textTokens,
    keywordStems: new Set([...keywordTokens].map(stem)),
    textStems: new Set([...textTokens].map(stem)),
    titleStems,
  };
}

const INDEX: readonly IndexedEntry[] = ERROR_CODES.map(indexEntry);

/**
 * A word as it sounds in Spanish, for the spellings people mix up: ll/y, b/v, s/z/soft c,
 * qu/k/hard c, a silent h, doubled letters ("no me yega el coreo", "bloqeado", "enlase").
 */
function soundAlike(word: string): string {
  return word
    .replace(/ch/g, 'C')
    .replace(/ll/g, 'y')
    .replace(/qu(?=[ei])/g, 'k')
    .replace(/q/g, 'k')
    .replace(/c(?=[ei])/g, 's')
    .replace(/c/g, 'k')
    .replace(/z/g, 's')
    .replace(/v/g, 'b')
    .replace(/h/g, '')
    .replace(/(.)\1+/g, '$1');
}

/** Every word the search knows (its phrases, titles and causes, both languages, and the words it skips), and the one each sound-alike spelling stands for. */
const CATALOGUE_WORDS: ReadonlySet<string> = new Set([...STOP_WORDS, ...INDEX.flatMap((entry) => [...entry.textTokens, ...entry.phrases.flatMap((phrase) => phrase.padded.trim().split(' '))])]);
const BY_SOUND: ReadonlyMap<string, string> = (() => {
  const bySound = new Map<string, string>();
  for (const word of CATALOGUE_WORDS) if (word.length > 2 && !bySound.has(soundAlike(word))) bySound.set(soundAlike(word), word);
  return bySound;
})();

/** The query with each misspelt word the catalogue knows by its sound written as the catalogue writes it. */
function spelledAsCatalogue(normalised: string): string {
  return normalised
    .split(' ')
    .map((word) => (CATALOGUE_WORDS.has(word) || word.length < 3 ? word : (BY_SOUND.get(soundAlike(word)) ?? word)))
    .join(' ');
}

// Rarer words say more: "captcha" points at two entries, "clave" at most of them.
const IDF: ReadonlyMap<string, number> = (() => {
  const df = new Map<string, number>();
  for (const entry of INDEX) {
    for (const s of new Set([...entry.keywordStems, ...entry.textStems])) df.set(s, (df.get(s) ?? 0) + 1);
  }
  return new Map([...df].map(([s, n]) => [s, Math.log(1 + INDEX.length / n)]));
})();

function idf(token: string): number {
  return IDF.get(stem(token)) ?? 0;
}

function wordScore(entry: IndexedEntry, token: string): number {
  const weight = idf(token);
  if (weight === 0) return 0;
  if (entry.keywordTokens.has(token)) return weight;
  if (entry.textTokens.has(token)) return weight * 0.6;
  if (token.length < STEM_LENGTH || /^\d+$/.test(token)) return 0;
  const s = stem(token);
  // Among entries that only share the word's stem, the one it names in its title first:
  // "me bloquié" is about a locked account (CLV-040), not a blocked connection (CLV-004).
  const named = entry.titleStems.has(s) ? weight * 0.1 : 0;
  if (entry.keywordStems.has(s)) return weight * 0.5 + named;
  if (entry.textStems.has(s)) return weight * 0.3 + named;
  return 0;
}

function phraseScore(phrase: Phrase, paddedQuery: string): number {
  if (!paddedQuery.includes(phrase.padded)) return 0;
  // Longer phrases are more specific: "demasiados intentos fallidos" beats "demasiados intentos".
  const content = phrase.words.reduce((sum, w) => sum + idf(w), 0);
  return 1.5 * content + 0.5 * phrase.totalWords;
}

function scoreEntry(entry: IndexedEntry, paddedQuery: string, queryTokens: readonly string[]): number {
  let score = 0;
  for (const phrase of entry.phrases) score += phraseScore(phrase, paddedQuery);
  for (const token of queryTokens) score += wordScore(entry, token);
  return score;
}

/** Codes written in the query: "CLV-010", "clv010", "CLV 10", "010", or just "10". */
function codesIn(normalised: string): ErrorCode[] {
  const found: ErrorCode[] = [];
  const add = (digits: string) => {
    const code = `CLV-${digits.padStart(3, '0')}`;
    if (isErrorCode(code) && !found.includes(code)) found.push(code);
  };
  for (const m of normalised.matchAll(/(?<![\p{L}\p{N}])clv ?0*(\d{1,3})(?!\p{N})/gu)) add(m[1]!);
  for (const m of normalised.matchAll(/(?<![\p{L}\p{N}])(0\d\d)(?![\p{L}\p{N}])/gu)) add(m[1]!);
  if (/^\d{1,3}$/.test(normalised)) add(normalised);
  return found;
}

function clampLimit(limit: unknown): number {
  if (typeof limit !== 'number' || Number.isNaN(limit)) return DEFAULT_LIMIT;
  return Math.max(0, Math.min(ERROR_CODES.length, Math.floor(limit)));
}

/**
 * The entries that best explain what a person typed, best first (at most `limit`).
 * A code anywhere in the query wins outright; otherwise keywords of both languages and
 * the words of titles and causes are matched, so an English query finds the Spanish
 * entry and vice versa. Nothing sensible → [].
 */
export function searchErrors(query: string, locale: CatalogueLocale, limit: number = DEFAULT_LIMIT): ErrorEntry[] {
  const max = clampLimit(limit);
  if (typeof query !== 'string' || max === 0) return [];
  const outLocale: CatalogueLocale = locale === 'en' ? 'en' : 'es';
  const normalised = spelledAsCatalogue(normalise(query.trim().slice(0, MAX_QUERY_LENGTH)));
  if (normalised === '') return [];

  const exact = codesIn(normalised);
  const paddedQuery = ` ${normalised} `;
  const queryTokens = [...new Set(tokens(normalised))];
  const scored = INDEX.map((entry, order) => ({ entry, order, score: scoreEntry(entry, paddedQuery, queryTokens) }));
  const best = Math.max(...scored.map((r) => r.score));
  const floor = Math.max(MIN_SCORE, best * MIN_SHARE_OF_BEST);
  const ranked = scored
    .filter((r) => r.score >= floor && !exact.includes(r.entry.code))
    .sort((a, b) => b.score - a.score || a.order - b.order)
    .map((r) => r.entry.code);

  return [...exact, ...ranked].slice(0, max).map((code) => errorEntry(code, outLocale));
}
