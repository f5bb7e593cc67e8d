import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Limits } from '../../../config.ts';
import { JOURNEY_PATHS } from '../../../domain/flow.ts';
import { JourneyError, type RecoveryService, type ResetSessionView } from '../../../services/recovery/index.ts';
import { clientInfo, privatePage, wholeMinutes } from '../../journey.ts';
import { claveForm } from './clave-form.ts';
import { markResetDone, readResetCookie, resetWasDone } from '../../journey-cookies.ts';

interface PasswordForm {
  password?: unknown;
  confirmation?: unknown;
}

/** The form, with the reset session's deadline and, for when it has passed, where to start again. */
function render(reply: FastifyReply, form: ReturnType<typeof claveForm>, { kind, deadline, secondsLeft }: ResetSessionView, sessionMinutes: number) {
  return privatePage(reply)
    .code(form.hasErrors ? 422 : 200)
    .page('new-password/new-password.njk', { ...form, step: 4, totalSteps: 4, deadline, secondsLeft, sessionMinutes, restartUrl: `/clave/${JOURNEY_PATHS[kind]}`, kind, csrfToken: reply.generateCsrf() });
}

/** A refused reset session whose flow already set its clave (a second click, another tab): this browser is shown that. */
const savedBefore = (error: unknown): boolean => error instanceof JourneyError && error.next.claveSaved === true;

/** Step 4: the new clave, under the reset session the link opened. */
export function newPasswordRoutes(recovery: RecoveryService, limits: Limits, secureCookies: boolean) {
  // RESET_SESSION_TTL as the page says it: whole minutes from opening the link.
  const sessionMinutes = wholeMinutes(limits.resetSessionTtlMs);
  return async (app: FastifyInstance): Promise<void> => {
    /** Runs `work` on the reset session; if its clave was saved before, marks this browser done and goes to `donePage`. */
    async function onResetSession<T>(reply: FastifyReply, flowId: string, donePage: string, work: () => Promise<T>): Promise<T | FastifyReply> {
      try {
        return await work();
      } catch (error) {
        if (!savedBefore(error)) throw error;
        markResetDone(reply, flowId, secureCookies);
        return reply.redirect(donePage, 303);
      }
    }

    app.get('/clave/nueva', async (request, reply) => {
      // Back from "su clave está lista": the clave was saved; nothing expired.
      if (resetWasDone(request)) return reply.redirect('/clave/lista', 303);
      const session = readResetCookie(request);
      if (!session) throw new JourneyError('CLV-050');
      return onResetSession(reply, session.flowId, '/clave/lista', async () => render(reply, claveForm(request, limits, []), await recovery.newClaveSession(session.flowId, session.resetToken), sessionMinutes));
    });

    app.post<{ Body: PasswordForm }>('/clave/nueva', { preValidation: app.csrfProtection }, async (request, reply) => {
      // Sent after the clave was saved (another tab, or Back and "resubmit"): what was typed
      // now was not saved, and the person must know which clave is theirs.
      if (resetWasDone(request)) return reply.redirect('/clave/lista?ya=1', 303);
      const session = readResetCookie(request);
      if (!session) throw new JourneyError('CLV-050');
      const { password, confirmation } = request.body ?? {};
      return onResetSession(reply, session.flowId, '/clave/lista?ya=1', async () => {
        const outcome = await recovery.setNewPassword(session.flowId, session.resetToken, password, confirmation, clientInfo(request));
        if (outcome.step === 'set_password') return render(reply, claveForm(request, limits, outcome.violations, { password, confirmation }), outcome.session, sessionMinutes);
        markResetDone(reply, session.flowId, secureCookies);
        return reply.redirect('/clave/lista', 303);
      });
    });

    // The live meter (password-checklist.js): what the policy says of the clave as it is typed.
    // Saved meanwhile (another tab): a redirect, which the meter takes as no verdict, not as "time is over" (410).
    app.post<{ Body: PasswordForm }>('/clave/nueva/comprobar', { preValidation: app.csrfProtection }, async (request, reply) => {
      if (resetWasDone(request)) return reply.redirect('/clave/lista', 303);
      const session = readResetCookie(request);
      if (!session) throw new JourneyError('CLV-050');
      return onResetSession(reply, session.flowId, '/clave/lista', async () =>
        privatePage(reply).send(await recovery.checkTypedClave(session.flowId, session.resetToken, request.body?.password, clientInfo(request))),
      );
    });
  };
}
