import { createHash, timingSafeEqual } from 'node:crypto';
import fp from 'fastify-plugin';
import { collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

declare module 'fastify' {
  interface FastifyInstance {
    metrics: Registry;
  }
}

/**
 * Who may read /metrics. What it shows is for operators only: the outbox gauge moves when
 * an identity step queues mail, which happens only for affiliates, so a public /metrics
 * would tell who is one. With a token, a scraper sends `Authorization: Bearer <token>`;
 * without one, production does not serve it at all.
 */
export type MetricsAccess = { token: string } | 'open' | 'off';

const digest = (value: string) => createHash('sha256').update(value).digest();

/** Compared as digests, in constant time: how much of a guess matched must not show in the time taken. */
function bearerMatches(authorization: string | undefined, token: string): boolean {
  const presented = /^Bearer (.+)$/.exec(authorization ?? '')?.[1];
  return presented !== undefined && timingSafeEqual(digest(presented), digest(token));
}

/** Prometheus metrics: process metrics and an HTTP latency histogram per route template. */
export const metricsPlugin = fp(async (app, options: { access: MetricsAccess; outboxPending: () => Promise<number | undefined> }) => {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  new Gauge({
    name: 'clave_outbox_pending',
    help: 'Messages (e-mail and SMS) queued in the outbox and still to be delivered (not delivered, not given up)',
    registers: [registry],
    async collect() {
      const pending = await options.outboxPending();
      if (pending !== undefined) this.set(pending);
    },
  });
  const latency = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request latency by route template',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  app.decorate('metrics', registry);
  app.addHook('onResponse', async (request, reply) => {
    // The route template, never the raw URL: tokens and cédulas must not become labels.
    const route = request.routeOptions.url ?? 'unmatched';
    latency.observe({ method: request.method, route, status_code: String(reply.statusCode) }, reply.elapsedTime / 1000);
  });
  const { access } = options;
  if (access === 'off') return;
  app.get('/metrics', async (request, reply) => {
    if (access !== 'open' && !bearerMatches(request.headers.authorization, access.token)) {
      return reply.code(401).header('www-authenticate', 'Bearer realm="metrics"').send();
    }
    reply.type(registry.contentType);
    return registry.metrics();
  });
});
