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

function switchUrl(request: FastifyRequest, target: Locale): string {
  // Any request line reaches this hook, parseable or not; an odd one just links to the start page.
  const url = URL.parse(request.url, 'http://localhost') ?? new URL('/', 'http://localhost');
  url.searchParams.set(COOKIE, target);
  // A path that begins with two slashes would be read as another host's address.
  return url.pathname.replace(/^\/{2,}/, '/') + url.search;
}

/** Spanish first; `?lang=en` switches and the choice is remembered in a cookie. */
export const i18nPlugin = fp(async (app, options: I18nOptions) => {
  // The switch link is worked out only when a page shows it: API answers never do.
  app.decorateRequest('locale', DEFAULT_LOCALE);
  app.decorateRequest('t', null as unknown as Translate);
  app.decorateRequest('languageSwitchUrl', {
    getter(this: FastifyRequest) {
      return switchUrl(this, LOCALES.find((other) => other !== this.locale) ?? DEFAULT_LOCALE);
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
  });
});
