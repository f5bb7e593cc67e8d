import type { FastifyInstance } from 'fastify';
import { FLOW_KINDS, JOURNEY_PATHS } from '../../../domain/flow.ts';
import { privatePage } from '../../journey.ts';
import { totalSteps } from '../start/routes.ts';

/**
 * Step 3, the one uniform answer: the same page whatever happened with the identity
 * step, so it cannot tell anyone whether a cédula is registered or the answers matched.
 */
export function checkEmailRoutes(linkMinutes: { recovery: number; unlock: number }) {
  return async (app: FastifyInstance): Promise<void> => {
    app.get<{ Querystring: { tipo?: string } }>('/clave/revise-su-correo', async (request, reply) => {
      const kind = FLOW_KINDS.find((k) => JOURNEY_PATHS[k] === request.query.tipo) ?? 'recover';
      return privatePage(reply).page('check-email/check-email.njk', {
        step: 3,
        totalSteps: totalSteps(kind),
        minutes: kind === 'unlock' ? linkMinutes.unlock : linkMinutes.recovery,
        againUrl: `/clave/${JOURNEY_PATHS[kind]}`,
      });
    });
  };
}
