import type { FastifyInstance } from 'fastify';
import { ERROR_CODES, errorEntry } from '../../../domain/errors.ts';
import { searchErrors } from '../../../domain/errors-search.ts';
import type { Throttle } from '../../../services/journey-ports.ts';
import { JourneyError } from '../../../services/recovery/index.ts';
import { withJourneyLinks } from './journey-links.ts';

const MAX_QUERY = 200;

/** ¿Qué significa este error?: a code or the words a person saw, matched to cause and next step. */
export const helpRoutes = (throttle: Throttle) => async (app: FastifyInstance): Promise<void> => {
  app.get<{ Querystring: { q?: unknown } }>('/ayuda/errores', async (request, reply) => {
    const allowed = await throttle.consume('help_ip', request.ip);
    if (!allowed.allowed) throw new JourneyError('CLV-004', { retryAfterSeconds: allowed.retryAfterSeconds });
    const query = typeof request.query.q === 'string' ? request.query.q.trim().slice(0, MAX_QUERY) : '';
    const params = { institute: request.instituteName };
    const entries = query ? searchErrors(query, request.locale, 5).map((entry) => errorEntry(entry.code, request.locale, params)) : [];
    const linked = entries.map((entry) => ({ ...entry, actionParts: withJourneyLinks(entry.action, request.locale) }));
    // No query, or nothing found ("me sale error"): the journeys and every code's title, a short page on a phone.
    const browse = entries.length === 0 ? ERROR_CODES.map((code) => ({ code, title: errorEntry(code, request.locale, params).title })) : [];
    return reply.page('help/help.njk', { query, entries: linked, browse });
  });
};
