import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Limits } from '../../../config.ts';
import { JourneyError, type RecoveryService } from '../../../services/recovery/index.ts';
import { clientInfo, privatePage } from '../../journey.ts';
import { claveForm } from './clave-form.ts';
import { markResetDone, readResetCookie, resetWasDone } from '../../journey-cookies.ts';

interface PasswordForm {
  password?: unknown;
  confirmation?: unknown;
}

function render(reply: FastifyReply, form: ReturnType<typeof claveForm>) {
  return privatePage(reply)
    .code(form.hasErrors ? 422 : 200)
    .page('new-password/new-password.njk', { ...form, step: 4, totalSteps: 4, csrfToken: reply.generateCsrf() });
}

/** Step 4: the new clave, under the reset session the link opened. */
export function newPasswordRoutes(recovery: RecoveryService, limits: Limits, secureCookies: boolean) {
  return async (app: FastifyInstance): Promise<void> => {
    app.get('/clave/nueva', async (request, reply) => {
      // Back from "su clave está lista": the clave was saved; nothing expired.
      if (resetWasDone(request)) return reply.redirect('/clave/lista', 303);
      if (!readResetCookie(request)) throw new JourneyError('CLV-050');
      return render(reply, claveForm(request, limits, []));
    });

    app.post<{ Body: PasswordForm }>('/clave/nueva', { preValidation: app.csrfProtection }, async (request, reply) => {
      // Sent after the clave was saved (another tab, or Back and "resubmit"): what was typed
      // now was not saved, and the person must know which clave is theirs.
      if (resetWasDone(request)) return reply.redirect('/clave/lista?ya=1', 303);
      const session = readResetCookie(request);
      if (!session) throw new JourneyError('CLV-050');
      const { password, confirmation } = request.body ?? {};
      const outcome = await recovery.setNewPassword(session.flowId, session.resetToken, password, confirmation, clientInfo(request));
      if (outcome.step === 'done') {
        markResetDone(reply, session.flowId, secureCookies);
        return reply.redirect('/clave/lista', 303);
      }
      return render(reply, claveForm(request, limits, outcome.violations, { password, confirmation }));
    });

    // The live meter (password-checklist.js): what the policy says of the clave as it is typed.
    app.post<{ Body: PasswordForm }>('/clave/nueva/comprobar', { preValidation: app.csrfProtection }, async (request, reply) => {
      const session = readResetCookie(request);
      if (!session) throw new JourneyError('CLV-050');
      return privatePage(reply).send(await recovery.checkTypedClave(session.flowId, session.resetToken, request.body?.password, clientInfo(request)));
    });
  };
}
