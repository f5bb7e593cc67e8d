import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Limits } from '../../../config.ts';
import { JourneyError, type RecoveryService } from '../../../services/recovery/index.ts';
import { clientInfo, policyFigures, privatePage, type FieldError } from '../../journey.ts';
import { clearResetCookie, readResetCookie } from '../../reset-cookie.ts';

interface PasswordForm {
  password?: unknown;
  confirmation?: unknown;
}

const MAX_ECHO = 256;

function render(request: FastifyRequest, reply: FastifyReply, limits: Limits, values: Record<string, string>, violations: string[]) {
  const text = (code: string) => request.t(`newPassword.violations.${code}`, policyFigures(limits));
  const errors: FieldError[] = violations.map((code) => ({ href: code === 'CLV-035' ? '#confirmation' : '#password', text: text(code) }));
  const fieldErrors = {
    password: violations.filter((c) => c !== 'CLV-035').map(text).join('. '),
    confirmation: violations.includes('CLV-035') ? text('CLV-035') : '',
  };
  return privatePage(reply)
    .code(errors.length > 0 ? 422 : 200)
    .page('new-password/new-password.njk', {
      values,
      fieldErrors,
      errors,
      hasErrors: errors.length > 0,
      step: 4,
      totalSteps: 4,
      minLength: limits.passwordMinLength,
      classesBelow: limits.passwordClassesBelow,
      csrfToken: reply.generateCsrf(),
    });
}

/** Step 4: the new clave, under the reset session the link opened. */
export function newPasswordRoutes(recovery: RecoveryService, limits: Limits) {
  return async (app: FastifyInstance): Promise<void> => {
    app.get('/clave/nueva', async (request, reply) => {
      if (!readResetCookie(request)) throw new JourneyError('CLV-050');
      return render(request, reply, limits, {}, []);
    });

    app.post<{ Body: PasswordForm }>('/clave/nueva', { preValidation: app.csrfProtection }, async (request, reply) => {
      const session = readResetCookie(request);
      if (!session) throw new JourneyError('CLV-050');
      const { password, confirmation } = request.body ?? {};
      const outcome = await recovery.setNewPassword(session.flowId, session.resetToken, password, confirmation, clientInfo(request));
      if (outcome.step === 'done') {
        clearResetCookie(reply);
        return reply.redirect('/clave/lista', 303);
      }
      const echo = (value: unknown) => (typeof value === 'string' ? value.slice(0, MAX_ECHO) : '');
      return render(request, reply, limits, { password: echo(password), confirmation: echo(confirmation) }, outcome.violations);
    });
  };
}
