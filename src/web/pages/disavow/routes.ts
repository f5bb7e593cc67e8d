import type { FastifyInstance } from 'fastify';
import type { RecoveryService } from '../../../services/recovery/index.ts';
import { clientInfo, privatePage } from '../../journey.ts';
import { markDisowned, wasDisowned } from '../../journey-cookies.ts';

/** "No fui yo" from a notice: confirm, then lock the account again. */
export function disavowRoutes(recovery: RecoveryService, secureCookies: boolean) {
  return async (app: FastifyInstance): Promise<void> => {
    app.get<{ Querystring: { token?: string } }>('/clave/no-fui-yo', async (request, reply) => {
      privatePage(reply);
      await recovery.checkDisavowLink(request.query.token);
      return reply.page('disavow/disavow.njk', { token: request.query.token, csrfToken: reply.generateCsrf() });
    });
    app.post<{ Body: { token?: unknown } }>('/clave/no-fui-yo', { preValidation: app.csrfProtection }, async (request, reply) => {
      privatePage(reply);
      await recovery.disavowChange(request.body?.token, clientInfo(request));
      markDisowned(reply, secureCookies);
      return reply.redirect('/clave/cuenta-bloqueada', 303);
    });
    // A page of its own, so that a reload, Back or the language switch shows it again
    // instead of sending the spent link; only to the browser that locked the account.
    app.get('/clave/cuenta-bloqueada', async (request, reply) => {
      if (!wasDisowned(request)) return reply.redirect('/', 303);
      return privatePage(reply).page('disavow/disavow.njk', { locked: true });
    });
  };
}
