import type { FastifyInstance } from 'fastify';
import { privatePage } from '../../journey.ts';

/** The end of Generar and Recuperar: what to do next. Never a login of its own. */
export async function doneRoutes(app: FastifyInstance): Promise<void> {
  app.get<{ Querystring: { ya?: string } }>('/clave/lista', async (request, reply) => privatePage(reply).page('done/done.njk', { sentAgain: request.query.ya === '1' }));
}
