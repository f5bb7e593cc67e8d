import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import fastifyCookie from '@fastify/cookie';
import fastifyFormbody from '@fastify/formbody';
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Limits } from '../config.ts';
import type { DevMailbox, ReadinessProbe } from '../services/ports.ts';
import type { RecoveryService } from '../services/recovery/index.ts';
import type { Throttle } from '../services/journey-ports.ts';
import type { AccountService } from '../services/account/index.ts';
import { accountRoutes } from './pages/account/routes.ts';
import { loginRoutes } from './pages/login/routes.ts';
import { csrfPlugin } from './plugins/csrf.ts';
import { captchaRoutes } from './pages/captcha/routes.ts';
import { checkEmailRoutes } from './pages/check-email/routes.ts';
import { disavowRoutes } from './pages/disavow/routes.ts';
import { doneRoutes } from './pages/done/routes.ts';
import { identityRoutes } from './pages/identity/routes.ts';
import { linkRoutes } from './pages/link/routes.ts';
import { newPasswordRoutes } from './pages/new-password/routes.ts';
import { startRoutes } from './pages/start/routes.ts';
import { apiRoutes } from './api/v1/routes.ts';
import { assetsPlugin } from './plugins/assets.ts';
import { drainingPlugin } from './plugins/draining.ts';
import { errorsPlugin, frameworkErrorHandler } from './plugins/errors.ts';
import { i18nPlugin } from './plugins/i18n.ts';
import { metricsPlugin, type MetricsAccess } from './plugins/metrics.ts';
import { securityHeaders, securityPlugin } from './plugins/security.ts';
import { viewsPlugin } from './plugins/views.ts';
import { devMailboxRoutes } from './pages/dev-mailbox/routes.ts';
import { helpRoutes } from './pages/help/routes.ts';
import { homeRoutes } from './pages/home/routes.ts';
import { opsRoutes } from './pages/ops/routes.ts';
import { wholeMinutes } from './journey.ts';

export interface WebOptions {
  publicUrl: URL;
  instituteName: string;
  agenciesUrl?: string;
  trustProxy: boolean | number | string[];
  production: boolean;
  /** Who may read /metrics (web/plugins/metrics.ts). */
  metrics: MetricsAccess;
  assetVersion: string;
  logger: Logger;
  limits: Limits;
  timeZone: string;
  /** The app's clock (injected in tests), for deadlines shown on pages. */
  clock: () => Date;
}

export interface WebServices {
  recovery: RecoveryService;
  throttle: Throttle;
  account: AccountService;
  readiness: ReadinessProbe;
  /** Only in development with the built-in catcher. */
  devMailbox?: DevMailbox;
}

const LIMITS = {
  bodyLimit: 64 * 1024,
  keepAliveTimeout: 5_000,
};

/** The HTTP face of Clave: translates requests to services and answers back. */
export async function buildWebApp(options: WebOptions, services: WebServices): Promise<FastifyInstance> {
  const https = options.publicUrl.protocol === 'https:';
  const headers = securityHeaders({ https });
  const app: FastifyInstance = Fastify({
    ...LIMITS,
    // A slow or silent client cannot hold a connection: idle sockets and slow requests are cut.
    connectionTimeout: options.limits.httpTimeoutMs,
    requestTimeout: options.limits.httpTimeoutMs,
    http: { headersTimeout: options.limits.httpTimeoutMs, connectionsCheckingInterval: Math.min(30_000, Math.max(500, options.limits.httpTimeoutMs / 2)) },
    loggerInstance: options.logger as FastifyBaseLogger,
    // Fastify takes a hop count too, although its types only list the other forms.
    trustProxy: options.trustProxy as boolean | string | string[],
    genReqId: () => randomUUID(),
    routerOptions: { maxParamLength: 200 },
    frameworkErrors: frameworkErrorHandler((): FastifyInstance => app, { instituteName: options.instituteName, assetVersion: options.assetVersion }, headers),
    // drainingPlugin answers those requests instead.
    return503OnClosing: false,
  });
  await app.register(metricsPlugin, { access: options.metrics, outboxPending: () => services.readiness.outboxPending() });
  await app.register(securityPlugin, { headers });
  await app.register(fastifyCookie);
  await app.register(fastifyFormbody, { bodyLimit: LIMITS.bodyLimit });
  await app.register(csrfPlugin, { secureCookies: https });
  await app.register(i18nPlugin, { instituteName: options.instituteName, secureCookies: https });
  await app.register(viewsPlugin, { instituteName: options.instituteName, agenciesUrl: options.agenciesUrl, timeZone: options.timeZone, assetVersion: options.assetVersion, production: options.production });
  await app.register(assetsPlugin);
  await app.register(errorsPlugin, { throttle: services.throttle });
  await app.register(drainingPlugin);
  await app.register(opsRoutes(services.readiness));
  await app.register(homeRoutes);
  await app.register(helpRoutes(services.throttle));
  const { recovery } = services;
  await app.register(captchaRoutes(recovery));
  await app.register(startRoutes(recovery));
  await app.register(identityRoutes(recovery));
  await app.register(
    checkEmailRoutes({
      linkMinutes: { recovery: wholeMinutes(options.limits.recoveryLinkTtlMs), unlock: wholeMinutes(options.limits.unlockLinkTtlMs) },
      emailsPerDay: options.limits.emailsPerCedulaPerDay,
      identityFailures: { max: options.limits.identityMaxFailures, hours: Math.round(options.limits.identityFailureWindowMs / 3_600_000) },
      clock: options.clock,
    }),
  );
  await app.register(linkRoutes(recovery, https));
  await app.register(newPasswordRoutes(recovery, options.limits, https));
  await app.register(doneRoutes);
  await app.register(disavowRoutes(recovery, https));
  await app.register(loginRoutes(services.account, https, options.limits));
  await app.register(accountRoutes(services.account, options.limits));
  await app.register(apiRoutes(recovery, services.account, options.limits), { prefix: '/api/v1' });
  if (services.devMailbox) await app.register(devMailboxRoutes(services.devMailbox, options.publicUrl));
  return app;
}
