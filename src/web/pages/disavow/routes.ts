import type { FastifyInstance } from 'fastify';
import type { RecoveryService } from '../../../services/recovery/index.ts';
import { clientInfo, privatePage } from '../../journey.ts';

/** "No fui yo" from a notice: confirm, then lock the account again. */
export function disavowRoutes(recovery: RecoveryService) {
  return async (app: FastifyInstance): Promise<void> => {
    app.get<{ Querystring: { token?: string } }>('/clave/no-fui-yo', async (request, reply) => {
      await recovery.checkDisavowLink(request.query.token);
      return privatePage(reply).page('disavow/disavow.njk', { token: request.query.token, csrfToken: reply.generateCsrf() });
    });
    app.post<{ Body: { token?: unknown } }>('/clave/no-fui-yo', { preValidation: app.csrfProtection }, async (request, reply) => {
      await recovery.disavowChange(request.body?.token, clientInfo(request));
      return privatePage(reply).page('disavow/disavow.njk', { locked: true });
    });
  };
}
