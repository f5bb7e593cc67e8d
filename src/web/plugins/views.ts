import fp from 'fastify-plugin';
import fastifyView from '@fastify/view';
import nunjucks from 'nunjucks';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SESSION_COOKIE } from '../session-cookie.ts';

const webDir = dirname(dirname(fileURLToPath(import.meta.url)));
const govukDist = dirname(dirname(createRequire(import.meta.url).resolve('govuk-frontend')));

export interface ViewOptions {
  instituteName: string;
  /** AGENCIES_URL: where the footer sends people told to visit an agency. */
  agenciesUrl?: string;
  timeZone: string;
  assetVersion: string;
  production: boolean;
}

declare module 'fastify' {
  interface FastifyReply {
    /** Renders a page with the layout's shared values (locale, t, institute). */
    page(template: string, context?: Record<string, unknown>): FastifyReply;
  }
}

/** One formatter per language for a style of time in `timeZone`, made once: building one costs more than using it. */
function zoneFormats(timeZone: string, style: Intl.DateTimeFormatOptions): (locale: string) => Intl.DateTimeFormat {
  const es = new Intl.DateTimeFormat('es-EC', { timeZone, ...style });
  const en = new Intl.DateTimeFormat('en-GB', { timeZone, ...style });
  return (locale) => (locale === 'en' ? en : es);
}

/** Where page templates live: one folder per page beside its routes, plus the shared layout. */
export const templateDirs = [join(webDir, 'pages'), join(webDir, 'views'), govukDist];

export const viewsPlugin = fp(async (app, options: ViewOptions) => {
  await app.register(fastifyView, {
    engine: { nunjucks },
    templates: templateDirs,
    production: options.production,
    options: {
      autoescape: true,
      throwOnUndefined: false,
      trimBlocks: true,
      lstripBlocks: true,
      onConfigure: (env: nunjucks.Environment) => {
        // Times shown to people are in the institute's zone (TIME_ZONE), never UTC, and on a
        // 24-hour clock as in the mails, so a page and a mail never tell one moment two ways.
        const dateTime = zoneFormats(options.timeZone, { dateStyle: 'medium', timeStyle: 'short', hourCycle: 'h23' });
        const clockTime = zoneFormats(options.timeZone, { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
        env.addFilter('localTime', (date: Date, locale: string) => dateTime(locale).format(date));
        env.addFilter('clockTime', (date: Date, locale: string) => clockTime(locale).format(date));
      },
    },
  });
  app.decorateReply('page', function page(template: string, context: Record<string, unknown> = {}) {
    const request = this.request;
    // A page's language and header follow cookies (lang, the session): no cache may share it across people.
    return this.type('text/html; charset=utf-8').header('vary', 'Cookie').view(template, {
      instituteName: options.instituteName,
      agenciesUrl: options.agenciesUrl,
      assetVersion: options.assetVersion,
      locale: request.locale,
      t: request.t,
      languageSwitchUrl: request.languageSwitchUrl,
      holdsSession: Boolean(request.cookies?.[SESSION_COOKIE]),
      ...context,
    });
  });
});
