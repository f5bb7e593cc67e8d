import fp from 'fastify-plugin';
import fastifyView from '@fastify/view';
import nunjucks from 'nunjucks';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const webDir = dirname(dirname(fileURLToPath(import.meta.url)));
const govukDist = dirname(dirname(createRequire(import.meta.url).resolve('govuk-frontend')));

export interface ViewOptions {
  instituteName: string;
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
        // Times shown to people are in the institute's zone (TIME_ZONE), never UTC.
        env.addFilter('localTime', (date: Date, locale: string) =>
          new Intl.DateTimeFormat(locale === 'en' ? 'en-GB' : 'es-EC', { timeZone: options.timeZone, dateStyle: 'medium', timeStyle: 'short' }).format(date),
        );
      },
    },
  });
  app.decorateReply('page', function page(template: string, context: Record<string, unknown> = {}) {
    const request = this.request;
    return this.type('text/html; charset=utf-8').view(template, {
      instituteName: options.instituteName,
      assetVersion: options.assetVersion,
      locale: request.locale,
      t: request.t,
      languageSwitchUrl: request.languageSwitchUrl,
      ...context,
    });
  });
});
