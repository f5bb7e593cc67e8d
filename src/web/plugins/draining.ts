import fp from 'fastify-plugin';
import { Overloaded } from '../../services/ports.ts';

/**
 * Once close() has begun, a request that still arrives on an open connection (keep-alive,
 * pipelined) is refused with CLV-090, Retry-After and Connection: close, as the page or
 * JSON the caller reads and with the security headers of every answer. Fastify's own
 * answer (return503OnClosing) is a bare English JSON body with none of them.
 */
export const drainingPlugin = fp(async (app) => {
  let draining = false;
  app.addHook('preClose', (done) => {
    draining = true;
    done();
  });
  // A callback hook, not an async one: it runs on every request.
  app.addHook('onRequest', (_request, reply, done) => {
    if (!draining) return done();
    reply.header('connection', 'close');
    done(new Overloaded('shutting down'));
  });
});
