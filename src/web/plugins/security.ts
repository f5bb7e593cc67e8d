import fp from 'fastify-plugin';
import helmet from 'helmet';

export interface SecurityOptions {
  https: boolean;
}

/**
 * Security headers for every answer. The CSP allows no inline script or style: all
 * behaviour and styling comes from our own files under /assets.
 *
 * helmet itself rather than @fastify/helmet: that plugin builds helmet's middleware again
 * (parsing the CSP) on every request; built once here, it only sets the headers.
 */
export const securityPlugin = fp(async (app, options: SecurityOptions) => {
  const setSecurityHeaders = helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'"],
        connectSrc: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        baseUri: ["'none'"],
        objectSrc: ["'none'"],
        ...(options.https ? { upgradeInsecureRequests: [] } : {}),
      },
    },
    strictTransportSecurity: options.https ? { maxAge: 31_536_000, includeSubDomains: true } : false,
    referrerPolicy: { policy: 'same-origin' },
    xFrameOptions: { action: 'deny' },
    crossOriginEmbedderPolicy: false,
  });
  app.addHook('onRequest', (request, reply, done) => {
    setSecurityHeaders(request.raw, reply.raw, (error?: unknown) => done(error as Error | undefined));
  });
});
