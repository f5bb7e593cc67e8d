import fp from 'fastify-plugin';
import fastifyCsrf from '@fastify/csrf-protection';

export interface CsrfOptions {
  secureCookies: boolean;
}

/** CSRF for every state-changing page: a secret in a cookie, a token in each form. */
export const csrfPlugin = fp(async (app, options: CsrfOptions) => {
  await app.register(fastifyCsrf, {
    cookieKey: 'clave_csrf',
    cookieOpts: { path: '/', httpOnly: true, sameSite: 'strict', secure: options.secureCookies },
    getToken: (request) => (request.body as { _csrf?: unknown } | undefined)?._csrf as string | undefined,
  });
});
