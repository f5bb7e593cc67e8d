import es from '../../src/domain/error-catalogue.es.json' with { type: 'json' };
import en from '../../src/domain/error-catalogue.en.json' with { type: 'json' };
import type { CatalogueLocale } from '../../src/domain/errors.ts';

/** The error catalogue files as they are on disk, for test/domain/errors*.test.ts to compare with. */

type RawEntry = { title: string; cause: string; action: string; detail?: string; keywords: string[] };
export const raw: Record<CatalogueLocale, Record<string, RawEntry>> = { es, en };
export const LOCALES = ['es', 'en'] as const;
