import type { FastifyInstance } from 'fastify';
import type { RecoveryService } from '../../../services/recovery/index.ts';
import { clientInfo, privatePage } from '../../journey.ts';
import { finishedFlowId, markUnlocked, readResetCookie, readUnlocked, setResetCookie } from '../../journey-cookies.ts';

/**
 * The link from the e-mail. Opening it (GET) changes nothing, so mail scanners that
 * prefetch links cannot burn them; the Continuar button (POST) consumes it.
 */
export function linkRoutes(recovery: RecoveryService, secureCookies: boolean) {
  return async (app: FastifyInstance): Promise<void> => {
    app.get<{ Querystring: { token?: string } }>('/clave/continuar', async (request, reply) => {
      privatePage(reply);
      const link = await recovery.checkLink(request.query.token, { reset: readResetCookie(request), unlockedFlowId: readUnlocked(request)?.flowId, finishedFlowId: finishedFlowId(request) });
      if (link === 'resume') return reply.redirect('/clave/nueva', 303);
      if (link === 'finished') return reply.redirect('/clave/lista', 303);
      if (link === 'unlocked') return reply.redirect('/clave/desbloqueada', 303);
      return reply.page('link/continue.njk', { token: request.query.token, journey: link.usable, csrfToken: reply.generateCsrf() });
    });

    // A page of its own, so that reloading it or coming Back to it does not send the spent
    // link again. Only the browser that unlocked sees it: a confirmation anyone could open
    // would be a false one on the institute's own domain.
    app.get('/clave/desbloqueada', async (request, reply) => {
      const unlocked = readUnlocked(request);
      if (!unlocked) return reply.redirect('/', 303);
      return privatePage(reply).page('link/unlocked.njk', { hasClave: unlocked.hasClave });
    });

    app.post<{ Body: { token?: unknown } }>('/clave/continuar', { preValidation: app.csrfProtection }, async (request, reply) => {
      // Before the link is spent: a refusal's page has the token in its address too.
      privatePage(reply);
      const redeemed = await recovery.redeemLink(request.body?.token, clientInfo(request));
      if (redeemed.step === 'unlocked') {
        markUnlocked(reply, redeemed, secureCookies);
        return reply.redirect('/clave/desbloqueada', 303);
      }
      setResetCookie(reply, redeemed.flowId, redeemed.resetToken, redeemed.resetExpiresAt, secureCookies);
      return reply.redirect('/clave/nueva', 303);
    });
  };
}
