import es from './locales/es.json' with { type: 'json' };
import en from './locales/en.json' with { type: 'json' };

export const LOCALES = ['es', 'en'] as const;
export type Locale = (typeof LOCALES)[number];
export const DEFAULT_LOCALE: Locale = 'es';

type Catalogue = { [key: string]: string | Catalogue };
const catalogues: Record<Locale, Catalogue> = { es, en };

export type Translate = (key: string, params?: Record<string, string | number>) => string;

export function isLocale(value: unknown): value is Locale {
  return typeof value === 'string' && (LOCALES as readonly string[]).includes(value);
}

function lookup(catalogue: Catalogue, key: string): string | undefined {
  let node: string | Catalogue | undefined = catalogue;
  for (const part of key.split('.')) {
    if (typeof node !== 'object') return undefined;
    node = node[part];
  }
  return typeof node === 'string' ? node : undefined;
}

/**
 * All copy lives in the locale files. A missing key shows the key itself, which the
 * locale tests catch before a person ever sees it.
 */
export function translator(locale: Locale, defaults: Record<string, string | number> = {}): Translate {
  return (key, params = {}) => {
    const template = lookup(catalogues[locale], key) ?? lookup(catalogues[DEFAULT_LOCALE], key) ?? key;
    const values = { ...defaults, ...params };
    return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in values ? String(values[name]) : whole));
  };
}

/** Every key of a catalogue as a dotted path (for the locale parity test). */
export function catalogueKeys(locale: Locale): string[] {
  const walk = (node: Catalogue, prefix: string): string[] =>
    Object.entries(node).flatMap(([name, value]) =>
      typeof value === 'string' ? [prefix + name] : walk(value, `${prefix}${name}.`),
    );
  return walk(catalogues[locale], '').sort();
}
