import type { FastifyRequest } from 'fastify';
import { instituteTranslator, type Locale } from '../../i18n.ts';

/** The API never reads cookies: its language comes from Accept-Language (Spanish unless English is asked first). */
export function apiLocale(request: FastifyRequest): Locale {
  const header = request.headers['accept-language'];
  return typeof header === 'string' && /^\s*en\b/i.test(header) ? 'en' : 'es';
}

export function useApiLocale(request: FastifyRequest): void {
  request.locale = apiLocale(request);
  request.t = instituteTranslator(request.locale, request.instituteName);
}
