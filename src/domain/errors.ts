/**
 * The CLV error catalogue: one entry per thing that can go wrong for a citizen, with a
 * title, the likely cause and the safest next action, in Spanish and English. Pages,
 * e-mails and the API all read it from here; the help page searches it with
 * `searchErrors` (errors-search.ts: a pasted code or whatever the person typed).
 *
 * Texts never say whether a cédula belongs to an affiliate nor which answer was wrong.
 */
import es from './error-catalogue.es.json' with { type: 'json' };
import en from './error-catalogue.en.json' with { type: 'json' };

export const ERROR_CODES = [
  'CLV-001',
  'CLV-002',
  'CLV-003',
  'CLV-004',
  'CLV-010',
  'CLV-011',
  'CLV-012',
  'CLV-020',
  'CLV-021',
  'CLV-022',
  'CLV-030',
  'CLV-031',
  'CLV-032',
  'CLV-033',
  'CLV-034',
  'CLV-035',
  'CLV-040',
  'CLV-041',
  'CLV-042',
  'CLV-043',
  'CLV-050',
  'CLV-090',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];
export type CatalogueLocale = 'es' | 'en';

export interface ErrorEntry {
  code: ErrorCode;
  title: string;
  cause: string;
  action: string;
  /** Parameterised extra (e.g. remaining attempts), shown only when the caller has the values. */
  detail?: string;
}

interface RawEntry {
  title: string;
  cause: string;
  action: string;
  detail?: string;
  keywords: string[];
}

type RawCatalogue = { readonly [code: string]: RawEntry | undefined };
const catalogues: Record<CatalogueLocale, RawCatalogue> = { es, en };

const CODE_SET: ReadonlySet<string> = new Set(ERROR_CODES);

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && CODE_SET.has(value);
}

const PLACEHOLDERS = /\{(\w+)\}/g;

// Own properties only, so `{constructor}` in a text is never filled from the prototype.
const given = (params: Record<string, string | number>, name: string) => Object.prototype.hasOwnProperty.call(params, name);

function fill(template: string, params: Record<string, string | number>): string {
  return template.replace(PLACEHOLDERS, (whole, name: string) => (given(params, name) ? String(params[name]) : whole));
}

const fillsWhole = (template: string, params: Record<string, string | number>) => [...template.matchAll(PLACEHOLDERS)].every(([, name]) => given(params, name!));

/** An entry as the catalogue holds it, placeholders unfilled (the search reads it whole). */
export function rawEntry(code: ErrorCode, locale: CatalogueLocale): RawEntry {
  const raw = catalogues[locale]?.[code] ?? catalogues.es[code];
  if (raw === undefined) throw new TypeError(`Unknown error code: ${String(code)}`);
  return raw;
}

/**
 * A fresh copy of the entry in `locale`, with `{placeholders}` filled from `params`. The
 * detail is a figure of one case (attempts left, a link's minutes, the policy's numbers):
 * it is left out unless `params` fills it whole, so nobody ever reads "{min}".
 */
export function errorEntry(
  code: ErrorCode,
  locale: CatalogueLocale,
  params: Record<string, string | number> = {},
): ErrorEntry {
  const raw = rawEntry(code, locale);
  const entry: ErrorEntry = {
    code,
    title: fill(raw.title, params),
    cause: fill(raw.cause, params),
    action: fill(raw.action, params),
  };
  if (raw.detail !== undefined && fillsWhole(raw.detail, params)) entry.detail = fill(raw.detail, params);
  return entry;
}
