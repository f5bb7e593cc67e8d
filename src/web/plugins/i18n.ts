import fp from 'fastify-plugin';
import type { FastifyRequest } from 'fastify';
import { DEFAULT_LOCALE, instituteTranslator, isLocale, LOCALES, type Locale, type Translate } from '../i18n.ts';

declare module 'fastify' {
  interface FastifyRequest {
    locale: Locale;
    t: Translate;
    /** The current page in the other language. */
    languageSwitchUrl: string;
    instituteName: string;
  }
}

export interface I18nOptions {
  instituteName: string;
  secureCookies: boolean;
}

const COOKIE = 'lang';
const ONE_YEAR_SECONDS = 365 * 24 * 3600;

/** The request's own address with its `lang` set to `target`, or taken out. */
function ownUrl(request: FastifyRequest, target: Locale | undefined): string {
  // Any request line reaches this hook, parseable or not; an odd one just links to the start page.
  const url = URL.parse(request.url, 'http://localhost') ?? new URL('/', 'http://localhost');
  if (target) url.searchParams.set(COOKIE, target);
  else url.searchParams.delete(COOKIE);
  // A path that begins with two slashes would be read as another host's address.
  return url.pathname.replace(/^\/{2,}/, '/') + url.search;
}

/** A page a browser navigates to: the API reads its language from Accept-Language, and forms are never switched. */
const isPage = (request: FastifyRequest) => (request.method === 'GET' || request.method === 'HEAD') && !request.url.startsWith('/api/');

/** Spanish first; `?lang=en` switches, the choice is remembered in a cookie, and the page is shown without it. */
export const i18nPlugin = fp(async (app, options: I18nOptions) => {
  // The switch link is worked out only when a page shows it: API answers never do.
  app.decorateRequest('locale', DEFAULT_LOCALE);
  app.decorateRequest('t', null as unknown as Translate);
  app.decorateRequest('languageSwitchUrl', {
    getter(this: FastifyRequest) {
      return ownUrl(this, LOCALES.find((other) => other !== this.locale) ?? DEFAULT_LOCALE);
    },
  });
  app.decorateRequest('instituteName', options.instituteName);
  app.addHook('onRequest', async (request, reply) => {
    const asked = (request.query as Record<string, unknown> | undefined)?.[COOKIE];
    const remembered = request.cookies[COOKIE];
    let locale: Locale = DEFAULT_LOCALE;
    if (isLocale(asked)) {
      locale = asked;
      reply.setCookie(COOKIE, asked, { path: '/', maxAge: ONE_YEAR_SECONDS, sameSite: 'lax', httpOnly: true, secure: options.secureCookies });
    } else if (isLocale(remembered)) {
      locale = remembered;
    }
    request.locale = locale;
    request.t = instituteTranslator(locale, options.instituteName);
    // The page is then shown at its address without `lang`, so the browser's history holds
    // none: Back to a page seen before a switch would otherwise switch the language again.
    if (isLocale(asked) && isPage(request)) return reply.header('cache-control', 'no-store').redirect(ownUrl(request, undefined), 303);
  });
});
