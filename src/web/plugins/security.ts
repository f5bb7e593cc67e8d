import fp from 'fastify-plugin';
import helmet from 'helmet';
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface SecurityOptions {
  https: boolean;
}

export type SecurityHeaders = Readonly<Record<string, string>>;

/**
 * The security headers of every answer. The CSP allows no inline script or style: all
 * behaviour and styling comes from our own files under /assets.
 *
 * helmet itself rather than @fastify/helmet: that plugin builds helmet's middleware again
 * (parsing the CSP) on every request. Here helmet runs once, at start, and the headers it
 * chose (none depends on the request) are handed to every answer as one object: by the
 * plugin below, and by the answers to requests the router refuses before any hook.
 */
export function securityHeaders(options: SecurityOptions): SecurityHeaders {
  return headersChosenBy(
    helmet({
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
    }),
  );
}

export const securityPlugin = fp(async (app, options: { headers: SecurityHeaders }) => {
  app.addHook('onRequest', (_request, reply, done) => {
    reply.headers(options.headers);
    done();
  });
});

type Middleware = (request: IncomingMessage, response: ServerResponse, next: (error?: unknown) => void) => void;

/** The headers a request-independent middleware sets, found by running it once on a stand-in answer. */
function headersChosenBy(middleware: Middleware): Record<string, string> {
  const headers: Record<string, string> = {};
  const response = {
    setHeader(name: string, value: string | number | readonly string[]) {
      headers[name.toLowerCase()] = String(value);
    },
    removeHeader(name: string) {
      delete headers[name.toLowerCase()];
    },
  };
  let failure: unknown;
  middleware({} as IncomingMessage, response as unknown as ServerResponse, (error) => (failure = error));
  if (failure) throw failure;
  return headers;
}
