import es from './locales/es.json' with { type: 'json' };
import en from './locales/en.json' with { type: 'json' };
import { catalogueKeys as keysOf, createTranslator, type Catalogue, type Translate } from '../text-catalogue.ts';

export type { Translate } from '../text-catalogue.ts';

export const LOCALES = ['es', 'en'] as const;
export type Locale = (typeof LOCALES)[number];
export const DEFAULT_LOCALE: Locale = 'es';

const catalogues: Record<Locale, Catalogue> = { es, en };

export function isLocale(value: unknown): value is Locale {
  return typeof value === 'string' && (LOCALES as readonly string[]).includes(value);
}

export function translator(locale: Locale, defaults: Record<string, string | number> = {}): Translate {
  return createTranslator(catalogues[locale], catalogues[DEFAULT_LOCALE], defaults);
}

const sharedTranslators = new Map<string, Translate>();

/** A language's translator for an institute, made once: translators keep no state, and every request needs one. */
export function instituteTranslator(locale: Locale, institute: string): Translate {
  const key = `${locale}\u0000${institute}`;
  let translate = sharedTranslators.get(key);
  if (translate === undefined) {
    translate = translator(locale, { institute });
    sharedTranslators.set(key, translate);
  }
  return translate;
}

export function catalogueKeys(locale: Locale): string[] {
  return keysOf(catalogues[locale]);
}

/** A whole section of copy, for client-side components that need their wording as data. */
export function catalogueSection(locale: Locale, section: string): Record<string, string> {
  const node = catalogues[locale][section];
  return typeof node === 'object' ? (node as Record<string, string>) : {};
}
