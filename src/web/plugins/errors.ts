import fp from 'fastify-plugin';
import type { FastifyReply, FastifyRequest } from 'fastify';

const wantsJson = (request: FastifyRequest) => request.url.startsWith('/api/');

function apiError(reply: FastifyReply, status: number, code: string, message: string) {
  return reply.code(status).type('application/json').send({ error: { code, message } });
}

/**
 * The 404 and error pages. A 5xx never shows a stack or an internal message: the
 * person sees what to do and a reference; the log keeps the detail.
 */
export const errorsPlugin = fp(async (app) => {
  app.setNotFoundHandler(async (request, reply) => {
    if (wantsJson(request)) return apiError(reply, 404, 'not_found', request.t('errors.notFound.title'));
    return reply.code(404).page('errors/not-found.njk');
  });

  app.setErrorHandler(async (error: { statusCode?: number; message?: string }, request, reply) => {
    const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    if (status >= 500) request.log.error({ err: error }, 'request failed');
    else request.log.info({ status, reason: error.message }, 'request refused');
    const [titleKey, bodyKey] = status >= 500 ? ['errors.server.title', 'errors.server.body'] : ['errors.badRequest.title', 'errors.badRequest.body'];
    if (wantsJson(request)) return apiError(reply, status, status >= 500 ? 'internal' : 'bad_request', request.t(titleKey));
    return reply.code(status).page('errors/server-error.njk', { titleKey, bodyKey, requestId: status >= 500 ? request.id : undefined });
  });
});
