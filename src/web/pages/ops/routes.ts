import type { FastifyInstance } from 'fastify';
import type { ReadinessProbe } from '../../../services/ports.ts';

/** Liveness answers while the process runs; readiness only when it can really serve. */
export function opsRoutes(readiness: ReadinessProbe) {
  return async (app: FastifyInstance): Promise<void> => {
    app.get('/healthz', async (_request, reply) => reply.header('cache-control', 'no-store').send({ status: 'ok' }));
    app.get('/readyz', async (_request, reply) => {
      const ready = await readiness.isReady();
      return reply.code(ready ? 200 : 503).header('cache-control', 'no-store').send({ status: ready ? 'ready' : 'unavailable' });
    });
  };
}
