import fp from 'fastify-plugin';
import fastifyStatic from '@fastify/static';
import type { FastifyReply } from 'fastify';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const staticDir = join(dirname(dirname(fileURLToPath(import.meta.url))), 'static');
const require = createRequire(import.meta.url);
const govukDir = dirname(require.resolve('govuk-frontend'));
const altchaDir = dirname(dirname(require.resolve('altcha')));
const ALTCHA_FILES = new Map([
  ['/altcha.js', '/external/altcha.js'],
  ['/altcha.css', '/external/altcha.css'],
  ['/workers/sha.js', '/workers/sha.js'],
]);

// Pages link assets with ?v=<content hash>, so a cached copy can be kept for a year.
const cacheForever = (reply: FastifyReply) => {
  reply.header('cache-control', 'public, max-age=31536000, immutable');
};

export const assetsPlugin = fp(async (app) => {
  await app.register(fastifyStatic, {
    root: staticDir,
    prefix: '/assets/',
    setHeaders: cacheForever,
    cacheControl: false,
    index: false,
  });
  await app.register(fastifyStatic, {
    root: govukDir,
    prefix: '/assets/govuk/',
    allowedPath: (path) => path === '/govuk-frontend.min.js',
    setHeaders: cacheForever,
    cacheControl: false,
    index: false,
    decorateReply: false,
  });
  // The CSP-friendly ALTCHA build: styles and the proof-of-work worker as separate files.
  app.get<{ Params: { '*': string } }>('/assets/altcha/*', async (request, reply) => {
    const file = ALTCHA_FILES.get(`/${request.params['*']}`);
    if (!file) return reply.callNotFound();
    cacheForever(reply);
    return reply.sendFile(file, altchaDir);
  });
});
