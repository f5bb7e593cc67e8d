import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Limits } from '../../../config.ts';
import type { AccountService } from '../../../services/account/index.ts';
import { JourneyError } from '../../../services/recovery/index.ts';
import { clientInfo, privatePage } from '../../journey.ts';
import { claveForm } from '../new-password/clave-form.ts';
import { describeDevice } from '../../device-name.ts';
import { clearSessionCookie, requireSession, SESSION_COOKIE } from '../../session-cookie.ts';

const NOTICES = new Map([
  ['clave', 'account.changed'],
  ['sesiones', 'account.othersEnded'],
]);

function changeForm(reply: FastifyReply, form: ReturnType<typeof claveForm>, loginMaxFailures: number) {
  return privatePage(reply).code(form.hasErrors ? 422 : 200).page('account/change-clave.njk', { ...form, loginMaxFailures, csrfToken: reply.generateCsrf() });
}

/** "Chrome en Android", "Un navegador en Windows"…: what a person recognises of a session. */
function deviceLabel(request: FastifyRequest, userAgent: string | null): string {
  const { browser, system } = describeDevice(userAgent);
  if (browser && system) return request.t('account.deviceOn', { browser, system });
  if (system) return request.t('account.someBrowserOn', { system });
  return browser ?? request.t('account.unknownDevice');
}

/** Mi cuenta: masked contact data, change clave, sessions, sign out. */
export function accountRoutes(account: AccountService, limits: Limits) {
  return async (app: FastifyInstance): Promise<void> => {
    app.get<{ Querystring: { hecho?: string } }>('/cuenta', async (request, reply) => {
      const active = await requireSession(account, request, reply);
      if (!active) return reply;
      const view = await account.view(active);
      const sessions = view.sessions.map((session) => ({ ...session, device: deviceLabel(request, session.userAgent) }));
      return privatePage(reply).page('account/account.njk', { view: { ...view, sessions }, notice: NOTICES.get(String(request.query.hecho)), csrfToken: reply.generateCsrf() });
    });

    app.get('/cuenta/clave', async (request, reply) => {
      if (!(await requireSession(account, request, reply))) return reply;
      return changeForm(reply, claveForm(request, limits, []), limits.loginMaxFailures);
    });

    app.post<{ Body: { current?: unknown; password?: unknown; confirmation?: unknown } }>('/cuenta/clave', { preValidation: app.csrfProtection }, async (request, reply) => {
      const active = await requireSession(account, request, reply);
      if (!active) return reply;
      const { current, password, confirmation } = request.body ?? {};
      const outcome = await account.changeClave(active, { current, password, confirmation }, clientInfo(request), request.locale).catch(async (error: unknown) => {
        // The lock these wrong current claves brought ended this session: the browser forgets
        // it. A lock from elsewhere (Ingresar) leaves open sessions alone, and so the cookie.
        if (error instanceof JourneyError && error.code === 'CLV-040' && !(await account.resumeSession(request.cookies[SESSION_COOKIE]))) clearSessionCookie(reply);
        throw error;
      });
      if (outcome.changed) return reply.redirect('/cuenta?hecho=clave', 303);
      return changeForm(reply, claveForm(request, limits, outcome.violations, { password, confirmation }, outcome.triesLeft), limits.loginMaxFailures);
    });

    // The live meter (password-checklist.js), checked against nobody's data: see checkTypedClave.
    app.post<{ Body: { password?: unknown } }>('/cuenta/clave/comprobar', { preValidation: app.csrfProtection }, async (request, reply) => {
      const active = await requireSession(account, request, reply);
      if (!active) return reply;
      return privatePage(reply).send(await account.checkTypedClave(active, request.body?.password, clientInfo(request)));
    });

    app.post('/cuenta/sesiones', { preValidation: app.csrfProtection }, async (request, reply) => {
      const active = await requireSession(account, request, reply);
      if (!active) return reply;
      await account.endOtherSessions(active);
      return reply.redirect('/cuenta?hecho=sesiones', 303);
    });

    app.post('/salir', { preValidation: app.csrfProtection }, async (request, reply) => {
      const active = await account.resumeSession(request.cookies[SESSION_COOKIE]);
      if (active) await account.logout(active);
      clearSessionCookie(reply);
      // Said on the next page: on a shared phone or computer, people need to know they are out.
      return reply.redirect('/?salio=1', 303);
    });
  };
}
