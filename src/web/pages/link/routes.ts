import type { FastifyInstance } from 'fastify';
import type { RecoveryService } from '../../../services/recovery/index.ts';
import { clientInfo, privatePage } from '../../journey.ts';
import { readResetCookie, setResetCookie } from '../../reset-cookie.ts';

/** Says, to the browser that just unlocked, whether the account has a clave to sign in with. */
const UNLOCKED_COOKIE = 'clave_desbloqueada';
const UNLOCKED_PAGE_SECONDS = 30 * 60;

/**
 * The link from the e-mail. Opening it (GET) changes nothing, so mail scanners that
 * prefetch links cannot burn them; the Continuar button (POST) consumes it.
 */
export function linkRoutes(recovery: RecoveryService, secureCookies: boolean) {
  return async (app: FastifyInstance): Promise<void> => {
    app.get<{ Querystring: { token?: string } }>('/clave/continuar', async (request, reply) => {
      if ((await recovery.checkLink(request.query.token, readResetCookie(request))) === 'resume') return reply.redirect('/clave/nueva', 303);
      return privatePage(reply).page('link/continue.njk', { token: request.query.token, csrfToken: reply.generateCsrf() });
    });

    // A page of its own, so that reloading it or coming Back to it does not send the spent
    // link again. Only the browser that unlocked sees it: a confirmation anyone could open
    // would be a false one on the institute's own domain.
    app.get('/clave/desbloqueada', async (request, reply) => {
      const unlocked = request.cookies[UNLOCKED_COOKIE];
      if (unlocked !== 'si' && unlocked !== 'no') return reply.redirect('/', 303);
      return privatePage(reply).page('link/unlocked.njk', { hasClave: unlocked === 'si' });
    });

    app.post<{ Body: { token?: unknown } }>('/clave/continuar', { preValidation: app.csrfProtection }, async (request, reply) => {
      const redeemed = await recovery.redeemLink(request.body?.token, clientInfo(request));
      privatePage(reply);
      if (redeemed.step === 'unlocked') {
        reply.setCookie(UNLOCKED_COOKIE, redeemed.hasClave ? 'si' : 'no', { path: '/clave/desbloqueada', httpOnly: true, sameSite: 'strict', secure: secureCookies, maxAge: UNLOCKED_PAGE_SECONDS });
        return reply.redirect('/clave/desbloqueada', 303);
      }
      setResetCookie(reply, redeemed.flowId, redeemed.resetToken, redeemed.resetExpiresAt, secureCookies);
      return reply.redirect('/clave/nueva', 303);
    });
  };
}
