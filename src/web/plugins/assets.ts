import fp from 'fastify-plugin';
import fastifyStatic from '@fastify/static';
import type { FastifyReply } from 'fastify';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const staticDir = join(dirname(dirname(fileURLToPath(import.meta.url))), 'static');
const govukDir = dirname(createRequire(import.meta.url).resolve('govuk-frontend'));

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
});
