import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { JOURNEY_PATHS, type FlowKind } from '../../../domain/flow.ts';
import type { KnowledgeQuestion } from '../../../domain/knowledge-questions.ts';
import { IdentityFormError, JourneyError, type RecoveryService } from '../../../services/recovery/index.ts';
import type { FlowRecord } from '../../../services/recovery-ports.ts';
import { clientInfo, errorSummary, privatePage } from '../../journey.ts';
import { totalSteps } from '../start/routes.ts';

type IdentityForm = Record<string, unknown>;

function typedValues(body: IdentityForm): Record<string, string> {
  const values: Record<string, string> = {};
  for (const [name, value] of Object.entries(body)) if (typeof value === 'string' && name !== '_csrf') values[name] = value.slice(0, 64);
  return values;
}

function fieldErrorsOf(request: FastifyRequest, error: IdentityFormError, questions: KnowledgeQuestion[]): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const field of error.fields) {
    if (field === 'birthDay' || field === 'birthMonth') errors[field] = request.t(`identity.errors.${field}`);
    else if (field === 'birthDate') errors.birthDay = request.t('identity.errors.birthDate');
    else {
      const id = field.slice('answer:'.length);
      errors[id] = request.t('identity.errors.answer', { number: questions.findIndex((q) => q.id === id) + 1 });
    }
  }
  return errors;
}

function render(reply: FastifyReply, flow: FlowRecord, questions: KnowledgeQuestion[], values: Record<string, string>, fieldErrors: Record<string, string>) {
  const errors = errorSummary(fieldErrors);
  return privatePage(reply)
    .code(errors.length > 0 ? 400 : 200)
    .page('identity/identity.njk', {
      action: `/clave/flujo/${flow.id}/identidad`,
      backUrl: `/clave/${JOURNEY_PATHS[flow.kind]}`,
      questions,
      values,
      fieldErrors,
      // Day and month share one message at the fields: both, when both are wrong.
      birthError: [fieldErrors.birthDay, fieldErrors.birthMonth].filter(Boolean).join('. ') || undefined,
      errors,
      hasErrors: errors.length > 0,
      step: 2,
      totalSteps: totalSteps(flow.kind),
      csrfToken: reply.generateCsrf(),
    });
}

/** Step 3's page, with the link's deadline so that a reload does not start the countdown again. */
const checkEmailUrl = (kind: FlowKind, linkExpiresAt: Date) => `/clave/revise-su-correo?tipo=${JOURNEY_PATHS[kind]}&hasta=${Math.floor(linkExpiresAt.getTime() / 1000)}`;

/** Step 2: birth day and month, and the knowledge questions; one uniform answer whatever the outcome. */
export function identityRoutes(recovery: RecoveryService) {
  /**
   * The form sent again once the flow was answered (Back, then "Confirm resubmission", or a
   * reload of an error page): on to "revise su correo", as the page's GET goes, rather than
   * CLV-050, whose "start again" would replace the link already on its way. Nothing is
   * evaluated again, for any outcome alike.
   */
  async function onceAnswered(reply: FastifyReply, flowId: string, refusal: JourneyError) {
    const page = await recovery.identityPage(flowId).catch(() => undefined);
    if (!page?.answered) throw refusal;
    return reply.redirect(checkEmailUrl(page.kind, page.linkExpiresAt), 303);
  }

  return async (app: FastifyInstance): Promise<void> => {
    app.get<{ Params: { flowId: string } }>('/clave/flujo/:flowId/identidad', async (request, reply) => {
      const page = await recovery.identityPage(request.params.flowId);
      if (page.answered) return reply.redirect(checkEmailUrl(page.kind, page.linkExpiresAt), 303);
      return render(reply, page.flow, page.questions, {}, {});
    });

    app.post<{ Params: { flowId: string }; Body: IdentityForm }>('/clave/flujo/:flowId/identidad', { preValidation: app.csrfProtection }, async (request, reply) => {
      const body = request.body ?? {};
      // The form's fields are the answers (q1…qN beside the birth date); the service takes only the questions it asked.
      let kind, linkExpiresAt;
      try {
        ({ kind, linkExpiresAt } = await recovery.submitIdentity(request.params.flowId, { birthDay: body.birthDay, birthMonth: body.birthMonth, answers: body }, clientInfo(request)));
      } catch (error) {
        if (error instanceof JourneyError && error.code === 'CLV-050') return onceAnswered(reply, request.params.flowId, error);
        if (!(error instanceof IdentityFormError)) throw error;
        const { flow, questions } = await recovery.identityQuestions(request.params.flowId);
        return render(reply, flow, questions, typedValues(body), fieldErrorsOf(request, error, questions));
      }
      return reply.redirect(checkEmailUrl(kind, linkExpiresAt), 303);
    });
  };
}
