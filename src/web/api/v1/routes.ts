import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isFlowKind } from '../../../domain/flow.ts';
import { errorEntry, isErrorCode, type ErrorCode } from '../../../domain/errors.ts';
import { searchErrors } from '../../../domain/errors-search.ts';
import { NONE_OPTION_ID, type KnowledgeQuestion } from '../../../domain/knowledge-questions.ts';
import type { Limits } from '../../../config.ts';
import { IdentityFormError, type RecoveryService } from '../../../services/recovery/index.ts';
import type { AccountService } from '../../../services/account/index.ts';
import { clientInfo, clientInfoUntilHangUp, policyFigures } from '../../journey.ts';
import { apiError } from '../../plugins/errors.ts';
import { useApiLocale } from './locale.ts';
import { openApiDocument } from './openapi.ts';

type Json = Record<string, unknown>;

function questionsFor(request: FastifyRequest, questions: KnowledgeQuestion[]) {
  return questions.map((q) => ({
    id: q.id,
    text: request.t(`identity.questions.${q.kind}`),
    options: q.options.map((o) => ({ id: o.id, text: o.id === NONE_OPTION_ID ? request.t('identity.none') : o.text })),
  }));
}

/** What a catalogue entry may name in general: the institute and the clave policy's figures (never one person's, such as attempts left). */
function catalogueFigures(request: FastifyRequest, limits: Limits) {
  return { institute: request.instituteName, ...policyFigures(limits) };
}

function bearer(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  const match = typeof header === 'string' ? /^Bearer ([A-Za-z0-9_-]{1,128})$/.exec(header) : null;
  return match?.[1];
}

/** Policy violations as the app shows them: each code with its title in the request's language. */
function described(request: FastifyRequest, codes: readonly ErrorCode[]) {
  return codes.map((code) => ({ code, message: errorEntry(code, request.locale, { institute: request.instituteName }).title }));
}

function badRequest(request: FastifyRequest, reply: FastifyReply, fields: string[]) {
  return apiError(request, reply, 422, 'bad_request', { fields });
}

/**
 * JSON API v1 for the institute's mobile app: the same services as the pages. It takes
 * only JSON bodies and bearer tokens, never cookies, so no other site can drive it.
 */
export function apiRoutes(recovery: RecoveryService, account: AccountService, limits: Limits) {
  return async (app: FastifyInstance): Promise<void> => {
    app.addHook('onRequest', async (request) => useApiLocale(request));
    app.addHook('preValidation', async (request, reply) => {
      const type = request.headers['content-type'];
      if (request.method === 'POST' && request.body !== undefined && !(typeof type === 'string' && type.startsWith('application/json'))) {
        return apiError(request, reply, 415, 'bad_request');
      }
      reply.header('cache-control', 'no-store');
    });

    app.get('/openapi.json', async () => openApiDocument());

    app.post('/captcha', async () => ({ challenge: await recovery.captchaChallenge() }));

    app.post<{ Body: Json }>('/flows', async (request, reply) => {
      const body = (request.body ?? {}) as Json;
      if (!isFlowKind(body.kind)) return badRequest(request, reply, ['kind']);
      const { flow, questions } = await recovery.startFlow({ kind: body.kind, cedula: body.cedula, captcha: body.captcha, locale: request.locale, client: clientInfo(request) });
      return reply.code(201).send({ flowId: flow.id, kind: flow.kind, expiresAt: flow.expiresAt.toISOString(), step: 'identity', questions: questionsFor(request, questions) });
    });

    app.post<{ Params: { flowId: string }; Body: Json }>('/flows/:flowId/identity', async (request, reply) => {
      const body = (request.body ?? {}) as Json;
      try {
        const { step } = await recovery.submitIdentity(request.params.flowId, { birthDay: body.birthDay, birthMonth: body.birthMonth, answers: body.answers }, clientInfo(request));
        return reply.code(202).send({ step });
      } catch (error) {
        if (error instanceof IdentityFormError) return badRequest(request, reply, error.fields);
        throw error;
      }
    });

    app.post<{ Body: Json }>('/tokens/redeem', async (request) => {
      const redeemed = await recovery.redeemLink((request.body ?? {}).token, clientInfo(request));
      return redeemed.step === 'unlocked' ? redeemed : { flowId: redeemed.flowId, step: redeemed.step, resetToken: redeemed.resetToken };
    });

    app.post<{ Params: { flowId: string }; Body: Json }>('/flows/:flowId/password', async (request, reply) => {
      const body = (request.body ?? {}) as Json;
      const outcome = await recovery.setNewPassword(request.params.flowId, bearer(request), body.password, body.confirmation, clientInfo(request));
      if (outcome.step === 'done') return outcome;
      return apiError(request, reply, 422, outcome.violations[0]!, { violations: described(request, outcome.violations) });
    });

    // The live meter for the app's new-clave screen: advice on what is typed, never a step.
    app.post<{ Params: { flowId: string }; Body: Json }>('/flows/:flowId/password/check', async (request) => {
      const { violations, score } = await recovery.checkTypedClave(request.params.flowId, bearer(request), (request.body ?? {}).password, clientInfo(request));
      return { score, violations: described(request, violations) };
    });

    app.post<{ Body: Json }>('/sessions', async (request, reply) => {
      const body = (request.body ?? {}) as Json;
      const session = await account.login(body.cedula, body.password, clientInfoUntilHangUp(request, reply));
      return reply.code(201).send({ session: session.token, expiresAt: session.absoluteExpiresAt.toISOString() });
    });

    app.delete('/sessions/current', async (request, reply) => {
      if (!(await account.endSession(bearer(request)))) return apiError(request, reply, 401, 'bad_request', { fields: ['authorization'] });
      return reply.code(204).send();
    });

    app.get<{ Params: { code: string } }>('/errors/:code', async (request, reply) => {
      const code = request.params.code.toUpperCase();
      if (!isErrorCode(code)) return apiError(request, reply, 404, 'not_found');
      return errorEntry(code, request.locale, catalogueFigures(request, limits));
    });

    app.get<{ Querystring: { q?: string } }>('/errors', async (request) => ({
      entries: searchErrors(typeof request.query.q === 'string' ? request.query.q : '', request.locale, 5).map((entry) => errorEntry(entry.code, request.locale, catalogueFigures(request, limits))),
    }));
  };
}
