import type { FastifyInstance } from 'fastify';
import type { RecoveryService } from '../../../services/recovery/index.ts';
import { clientInfo, privatePage } from '../../journey.ts';
import { readResetCookie, setResetCookie } from '../../reset-cookie.ts';

/**
 * The link from the e-mail. Opening it (GET) changes nothing, so mail scanners that
 * prefetch links cannot burn them; the Continuar button (POST) consumes it.
 */
export function linkRoutes(recovery: RecoveryService, secureCookies: boolean) {
  return async (app: FastifyInstance): Promise<void> => {
    app.get<{ Querystring: { token?: string } }>('/clave/continuar', async (request, reply) => {
      if ((await recovery.checkLink(request.query.token, readResetCookie(request)?.flowId)) === 'resume') return reply.redirect('/clave/nueva', 303);
      return privatePage(reply).page('link/continue.njk', { token: request.query.token, csrfToken: reply.generateCsrf() });
    });

    // A page of its own, so that reloading it or coming Back to it does not send the spent link again.
    app.get<{ Querystring: { clave?: string } }>('/clave/desbloqueada', async (request, reply) =>
      privatePage(reply).page('link/unlocked.njk', { hasClave: request.query.clave !== 'no' }),
    );

    app.post<{ Body: { token?: unknown } }>('/clave/continuar', { preValidation: app.csrfProtection }, async (request, reply) => {
      const redeemed = await recovery.redeemLink(request.body?.token, clientInfo(request));
      privatePage(reply);
      if (redeemed.step === 'unlocked') return reply.redirect(`/clave/desbloqueada?clave=${redeemed.hasClave ? 'si' : 'no'}`, 303);
      setResetCookie(reply, redeemed.flowId, redeemed.resetToken, redeemed.resetExpiresAt, secureCookies);
      return reply.redirect('/clave/nueva', 303);
    });
  };
}
