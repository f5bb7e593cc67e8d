import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { FLOW_KINDS, JOURNEY_PATHS, type FlowKind } from '../../../domain/flow.ts';
import { JourneyError, type RecoveryService } from '../../../services/recovery/index.ts';
import { catalogueSection } from '../../i18n.ts';
import { cedulaError, clientInfo, errorSummary, privatePage } from '../../journey.ts';

interface StartForm {
  cedula?: unknown;
  altcha?: unknown;
}

const MAX_CEDULA_ECHO = 40;

export const totalSteps = (kind: FlowKind) => (kind === 'unlock' ? 3 : 4);

function render(request: FastifyRequest, reply: FastifyReply, kind: FlowKind, cedula: string, fieldErrors: Record<string, string>) {
  const errors = errorSummary(fieldErrors);
  return privatePage(reply)
    .code(errors.length > 0 ? 400 : 200)
    .page('start/start.njk', {
      kind,
      action: `/clave/${JOURNEY_PATHS[kind]}`,
      cedula,
      fieldErrors,
      errors,
      hasErrors: errors.length > 0,
      step: 1,
      totalSteps: totalSteps(kind),
      csrfToken: reply.generateCsrf(),
      captchaStrings: catalogueSection(request.locale, 'captcha'),
    });
}

const FIELD_OF: Record<string, [string, string]> = {
  'CLV-002': ['captcha', 'start.errors.captchaFailed'],
  'CLV-003': ['captcha', 'start.errors.captchaExpired'],
};

/** Step 1 of every journey: cédula and CAPTCHA. A refusal keeps what was typed and shows a fresh challenge. */
export function startRoutes(recovery: RecoveryService) {
  return async (app: FastifyInstance): Promise<void> => {
    for (const kind of FLOW_KINDS) {
      const path = `/clave/${JOURNEY_PATHS[kind]}`;
      app.get(path, async (request, reply) => render(request, reply, kind, '', {}));
      app.post<{ Body: StartForm }>(path, { preValidation: app.csrfProtection }, async (request, reply) => {
        const body = request.body ?? {};
        const cedula = typeof body.cedula === 'string' ? body.cedula.slice(0, MAX_CEDULA_ECHO) : '';
        if (cedula.trim() === '') return render(request, reply, kind, cedula, { cedula: request.t('start.errors.cedulaMissing') });
        try {
          const { flow } = await recovery.startFlow({ kind, cedula, captcha: body.altcha, locale: request.locale, client: clientInfo(request) });
          return reply.redirect(`/clave/flujo/${flow.id}/identidad`, 303);
        } catch (error) {
          if (error instanceof JourneyError && error.code === 'CLV-001') return render(request, reply, kind, cedula, { cedula: cedulaError(request, cedula) });
          const field = error instanceof JourneyError ? FIELD_OF[error.code] : undefined;
          if (!field) throw error;
          return render(request, reply, kind, cedula, { [field[0]]: request.t(field[1]) });
        }
      });
    }
  };
}
