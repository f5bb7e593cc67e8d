import fp from 'fastify-plugin';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { errorEntry, type ErrorCode } from '../../domain/errors.ts';
import { JourneyError, type RefusalDetails } from '../../services/recovery/index.ts';
import type { Throttle } from '../../services/journey-ports.ts';
import { Abandoned, Overloaded, StorageUnavailable } from '../../services/ports.ts';
import { journeyErrorPage, statusFor } from '../journey.ts';
import { DEFAULT_LOCALE, instituteTranslator } from '../i18n.ts';
import type { SecurityHeaders } from './security.ts';

const wantsJson = (request: FastifyRequest) => request.url.startsWith('/api/');

/** A catalogue refusal in the shape the caller reads: the API's JSON or the journey page. */
export const refusal = (request: FastifyRequest, reply: FastifyReply, code: ErrorCode, status = statusFor(code), next?: RefusalDetails) =>
  wantsJson(request) ? apiError(request, reply, status, code) : journeyErrorPage(request, reply, code, status, next);

/** API errors carry the catalogue entry: `{ error: { code, message, cause, action } }`. */
export function apiError(request: FastifyRequest, reply: FastifyReply, status: number, code: ErrorCode | 'not_found' | 'bad_request' | 'internal', extra: Record<string, unknown> = {}) {
  const body = code.startsWith('CLV-')
    ? (() => {
        const entry = errorEntry(code as ErrorCode, request.locale, { institute: request.instituteName });
        return { code, message: entry.title, cause: entry.cause, action: entry.action };
      })()
    : { code, message: request.t(code === 'not_found' ? 'errors.notFound.title' : code === 'internal' ? 'errors.server.title' : 'errors.badRequest.title') };
  return reply.code(status).type('application/json').header('cache-control', 'no-store').send({ error: { ...body, ...extra } });
}

const CSRF_CODES = new Set(['FST_CSRF_INVALID_TOKEN', 'FST_CSRF_MISSING_SECRET']);

/**
 * The 404 and error pages. A journey refusal shows its catalogue entry; a 5xx never
 * shows a stack or an internal message: the person sees what to do and a reference.
 */
export const errorsPlugin = fp(async (app, options: { throttle: Throttle }) => {
  app.setNotFoundHandler(async (request, reply) => {
    // Scanning for pages is throttled like any other probing.
    const allowed = await options.throttle.consume('not_found_ip', request.ip);
    if (!allowed.allowed) throw new JourneyError('CLV-004', { retryAfterSeconds: allowed.retryAfterSeconds });
    if (wantsJson(request)) return apiError(request, reply, 404, 'not_found');
    return reply.code(404).page('errors/not-found.njk');
  });

  app.setErrorHandler(async (error: { statusCode?: number; message?: string; code?: string }, request, reply) => {
    if (error instanceof JourneyError) {
      if (error.retryAfterSeconds) reply.header('retry-after', String(error.retryAfterSeconds));
      return refusal(request, reply, error.code, statusFor(error.code), { ...error.next, retryAfterSeconds: error.retryAfterSeconds });
    }
    if (error instanceof StorageUnavailable) {
      request.log.error({ err: error.cause }, 'storage unavailable');
      return refusal(request, reply, 'CLV-090', 503);
    }
    if (error instanceof Overloaded) {
      // Shed at once rather than queue without end: the wait would grow for everyone.
      if (error instanceof Abandoned) request.log.info({ reason: error.message }, 'client left');
      else request.log.warn({ reason: error.message }, 'overloaded');
      reply.header('retry-after', String(error.retryAfterSeconds));
      return refusal(request, reply, 'CLV-090', 503);
    }
    if (error.code && CSRF_CODES.has(error.code)) {
      request.log.info({ reason: error.code }, 'form refused: CSRF');
      return journeyErrorPage(request, reply, 'CLV-050', 403);
    }
    const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    if (status >= 500) request.log.error({ err: error }, 'request failed');
    else request.log.info({ status, reason: error.message }, 'request refused');
    if (wantsJson(request)) return apiError(request, reply, status, status >= 500 ? 'internal' : 'bad_request');
    const [titleKey, bodyKey] = status >= 500 ? ['errors.server.title', 'errors.server.body'] : ['errors.badRequest.title', 'errors.badRequest.body'];
    return reply.code(status).page('errors/server-error.njk', { titleKey, bodyKey, requestId: status >= 500 ? request.id : undefined });
  });
});

/**
 * Requests the router refuses before any hook or decorator runs (a malformed URL, a
 * parameter over the length limit) still get the institute's page or the API's JSON
 * shape, never Fastify's default body.
 */
export function frameworkErrorHandler(app: () => FastifyInstance, layout: { instituteName: string; assetVersion: string }, headers: SecurityHeaders) {
  return (error: { statusCode?: number }, request: FastifyRequest, reply: FastifyReply) => {
    const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 400;
    const t = instituteTranslator(DEFAULT_LOCALE, layout.instituteName);
    // No hook runs for these requests, so the security headers are set here.
    reply.code(status).headers(headers).header('cache-control', 'no-store');
    if (request.url.startsWith('/api/')) {
      reply.type('application/json').send({ error: { code: 'bad_request', message: t('errors.badRequest.title') } });
      return;
    }
    app()
      .view('errors/server-error.njk', { ...layout, locale: DEFAULT_LOCALE, t, languageSwitchUrl: '/?lang=en', titleKey: 'errors.badRequest.title', bodyKey: 'errors.badRequest.body' })
      .then(
        (html) => reply.type('text/html; charset=utf-8').send(html),
        () => reply.type('text/plain; charset=utf-8').send(t('errors.badRequest.title')),
      );
  };
}
