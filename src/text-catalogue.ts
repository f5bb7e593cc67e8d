/** Copy lives in JSON catalogues, one per language; this looks keys up and fills `{placeholders}`. */
export type Catalogue = { [key: string]: string | Catalogue };
export type Translate = (key: string, params?: Record<string, string | number>) => string;

function lookup(catalogue: Catalogue, key: string): string | undefined {
  let node: string | Catalogue | undefined = catalogue;
  for (const part of key.split('.')) {
    if (typeof node !== 'object') return undefined;
    node = node[part];
  }
  return typeof node === 'string' ? node : undefined;
}

/** A missing key shows the key itself, which the locale tests catch before a person sees it. */
export function createTranslator(catalogue: Catalogue, fallback: Catalogue, defaults: Record<string, string | number> = {}): Translate {
  return (key, params = {}) => {
    const template = lookup(catalogue, key) ?? lookup(fallback, key) ?? key;
    const values = { ...defaults, ...params };
    return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in values ? String(values[name]) : whole));
  };
}

/** Every key of a catalogue as a dotted path (for the locale parity tests). */
export function catalogueKeys(catalogue: Catalogue): string[] {
  const walk = (node: Catalogue, prefix: string): string[] =>
    Object.entries(node).flatMap(([name, value]) => (typeof value === 'string' ? [prefix + name] : walk(value, `${prefix}${name}.`)));
  return walk(catalogue, '').sort();
}
