import fp from 'fastify-plugin';
import { refusal } from './errors.ts';

/** What a load balancer should wait before sending this client here again. */
const RETRY_AFTER_SECONDS = '5';

/**
 * Once close() has begun, a request that still arrives on an open connection (keep-alive,
 * pipelined) is refused with CLV-090, Retry-After and Connection: close, as the page or
 * JSON the caller reads and with the security headers of every answer. Fastify's own
 * answer (return503OnClosing) is a bare English JSON body with none of them. Answered
 * here, not through the error handler, which routes registered before it do not use.
 */
export const drainingPlugin = fp(async (app) => {
  let draining = false;
  app.addHook('preClose', (done) => {
    draining = true;
    done();
  });
  // A callback hook, not an async one: it runs on every request.
  app.addHook('onRequest', (request, reply, done) => {
    if (!draining) return done();
    request.log.info('refused: shutting down');
    void refusal(request, reply.header('connection', 'close').header('retry-after', RETRY_AFTER_SECONDS), 'CLV-090', 503);
  });
});
