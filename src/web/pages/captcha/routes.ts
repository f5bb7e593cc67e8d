import type { FastifyInstance } from 'fastify';
import type { RecoveryService } from '../../../services/recovery/index.ts';

/** The challenge the page's ALTCHA widget fetches; a new one on every request. */
export function captchaRoutes(recovery: RecoveryService) {
  return async (app: FastifyInstance): Promise<void> => {
    app.get('/captcha/desafio', async (_request, reply) => reply.header('cache-control', 'no-store').send(await recovery.captchaChallenge()));
  };
}
