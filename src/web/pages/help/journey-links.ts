import type { CatalogueLocale } from '../../../domain/errors.ts';

/** A piece of a catalogue text: words, or the name of a journey that links to it. */
export interface TextPart {
  text: string;
  href?: string;
}

/** The journeys the catalogue names, as it quotes them, and where each begins. */
const JOURNEYS: Record<CatalogueLocale, Array<[string, string]>> = {
  es: [
    ['«Generar clave»', '/clave/generar'],
    ['«Recuperar clave»', '/clave/recuperar'],
    ['«Desbloquear clave»', '/clave/desbloquear'],
    ['«Ingresar»', '/ingresar'],
  ],
  en: [
    ['"Create a clave"', '/clave/generar'],
    ['"Recover your clave"', '/clave/recuperar'],
    ['"Unlock your clave"', '/clave/desbloquear'],
    ['"Sign in"', '/ingresar'],
  ],
};

/** `text` cut where it names a journey, so the page can link each name to its journey. */
export function withJourneyLinks(text: string, locale: CatalogueLocale): TextPart[] {
  const parts: TextPart[] = [];
  let rest = text;
  for (;;) {
    const next = JOURNEYS[locale]
      .map(([quoted, href]) => ({ at: rest.indexOf(quoted), quoted, href }))
      .filter((found) => found.at >= 0)
      .sort((a, b) => a.at - b.at)[0];
    if (!next) break;
    if (next.at > 0) parts.push({ text: rest.slice(0, next.at) });
    parts.push({ text: next.quoted.slice(1, -1), href: next.href });
    rest = rest.slice(next.at + next.quoted.length);
  }
  if (rest !== '') parts.push({ text: rest });
  return parts;
}
