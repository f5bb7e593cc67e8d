import type { FastifyInstance } from 'fastify';
import { ERROR_CODES, errorEntry, searchErrors } from '../../../domain/errors.ts';

const MAX_QUERY = 200;

/** ¿Qué significa este error?: a code or the words a person saw, matched to cause and next step. */
export async function helpRoutes(app: FastifyInstance): Promise<void> {
  app.get<{ Querystring: { q?: unknown } }>('/ayuda/errores', async (request, reply) => {
    const query = typeof request.query.q === 'string' ? request.query.q.trim().slice(0, MAX_QUERY) : '';
    const params = { institute: request.instituteName };
    const entries = query
      ? searchErrors(query, request.locale, 5).map((entry) => errorEntry(entry.code, request.locale, params))
      : ERROR_CODES.map((code) => errorEntry(code, request.locale, params));
    return reply.page('help/help.njk', { query, entries });
  });
}
