/**
 * The personal-data rule of the clave policy (DESIGN.md §2.4, CLV-032): what of a person
 * (cédula, birth date, names) and of the institute a clave may not contain, and the same
 * words as zxcvbn's user inputs. Compared accent- and case-insensitively.
 */

export interface PersonalData {
  cedula: string;
  nombres: string;
  apellidos: string;
  /** YYYY-MM-DD */
  fechaNacimiento: string;
  instituteName: string;
}

/**
 * Nobody's personal data, only the institute's name: what a clave is checked against
 * before its owner has proved who they are (Mi cuenta's live meter, ahead of the current clave).
 */
export function noPersonalData(instituteName: string): PersonalData {
  return { cedula: '', nombres: '', apellidos: '', fechaNacimiento: '', instituteName };
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

export interface PersonalTokens {
  /** Compared with the folded password. */
  words: string[];
  /** Compared with the folded password with separators removed. */
  compact: string[];
  acronym: string | undefined;
}

export function personalTokens(personal: PersonalData): PersonalTokens {
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

export function containsPersonalData(password: string, tokens: PersonalTokens): boolean {
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
export function zxcvbnUserInputs(personal: PersonalData, tokens: PersonalTokens): string[] {
  const accented = `${personal.nombres} ${personal.apellidos}`
    .normalize('NFC')
    .toLowerCase()
    .split(/[\s-]+/)
    .filter((word) => word.length >= 3);
  return [...new Set([...tokens.words, ...tokens.compact, ...(tokens.acronym ? [tokens.acronym] : []), ...accented])];
}
