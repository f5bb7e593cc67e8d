import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Limits } from '../../../config.ts';
import type { AccountService } from '../../../services/account/index.ts';
import { JourneyError } from '../../../services/recovery/index.ts';
import { cedulaError, clientInfoUntilHangUp, errorSummary, privatePage, retryTime, statusFor } from '../../journey.ts';
import { SESSION_COOKIE, setSessionCookie } from '../../session-cookie.ts';

const FIELD_OF: Record<string, string> = { 'CLV-001': 'cedula', 'CLV-041': 'clave', 'CLV-043': 'clave' };

interface LoginNotes {
  /** Signed out for being idle this many minutes. */
  sessionEndedAfterIdleMinutes?: number;
  /** Throttled (CLV-043): when to try again. */
  retryAt?: Date;
}

function render(reply: FastifyReply, cedula: string, fieldErrors: Record<string, string>, status = 200, notes: LoginNotes = {}) {
  const errors = errorSummary(fieldErrors);
  return privatePage(reply).code(status).page('login/login.njk', { cedula, fieldErrors, errors, hasErrors: errors.length > 0, ...notes, csrfToken: reply.generateCsrf() });
}

/** CLV-040: no mistake to correct in the form, so the page is the way out (Desbloquear, Recuperar). */
const renderLocked = (reply: FastifyReply, maxFailures: number) => privatePage(reply).code(statusFor('CLV-040')).page('login/login.njk', { locked: true, maxFailures });

/** Ingresar: cédula and clave; wrong clave and unknown cédula look the same. */
export function loginRoutes(account: AccountService, secureCookies: boolean, limits: Limits) {
  const sessionIdleMinutes = Math.max(1, Math.round(limits.sessionIdleTtlMs / 60_000));
  return async (app: FastifyInstance): Promise<void> => {
    app.get<{ Querystring: { sesion?: string } }>('/ingresar', async (request, reply) => render(reply, '', {}, 200, { sessionEndedAfterIdleMinutes: request.query.sesion === 'terminada' ? sessionIdleMinutes : undefined }));
    app.post<{ Body: { cedula?: unknown; clave?: unknown } }>('/ingresar', { preValidation: app.csrfProtection }, async (request, reply) => {
      const cedula = typeof request.body?.cedula === 'string' ? request.body.cedula.slice(0, 40) : '';
      const clave = request.body?.clave;
      const missing: Record<string, string> = {};
      if (cedula.trim() === '') missing.cedula = request.t('login.errors.cedulaMissing');
      if (typeof clave !== 'string' || clave === '') missing.clave = request.t('login.errors.claveMissing');
      if (Object.keys(missing).length > 0) return render(reply, cedula, missing, 400);
      try {
        const session = await account.login(cedula, clave, clientInfoUntilHangUp(request, reply));
        // A new sign-in always gets a new session id; one this browser had before is ended.
        const previous = await account.resumeSession(request.cookies[SESSION_COOKIE]);
        if (previous) await account.logout(previous);
        setSessionCookie(reply, session.token, session.absoluteExpiresAt, secureCookies);
        return reply.redirect('/cuenta', 303);
      } catch (error) {
        if (error instanceof JourneyError && error.code === 'CLV-040') return renderLocked(reply, limits.loginMaxFailures);
        if (!(error instanceof JourneyError) || !FIELD_OF[error.code]) throw error;
        if (error.retryAfterSeconds) reply.header('retry-after', String(error.retryAfterSeconds));
        const text = error.code === 'CLV-001' ? cedulaError(request, cedula) : request.t(`login.errors.${error.code}`, { max: limits.loginMaxFailures });
        return render(reply, cedula, { [FIELD_OF[error.code]!]: text }, statusFor(error.code), { retryAt: retryTime(error.retryAfterSeconds) });
      }
    });
  };
}
