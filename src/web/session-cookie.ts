import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AccountService, ActiveSession } from '../services/account/index.ts';

export const SESSION_COOKIE = 'clave_sesion';

export function setSessionCookie(reply: FastifyReply, token: string, expires: Date, secure: boolean): void {
  reply.setCookie(SESSION_COOKIE, token, { path: '/', httpOnly: true, sameSite: 'lax', secure, expires });
}

export function clearSessionCookie(reply: FastifyReply): void {
  reply.clearCookie(SESSION_COOKIE, { path: '/' });
}

/** The signed-in person, or a trip to Ingresar. */
export async function requireSession(account: AccountService, request: FastifyRequest, reply: FastifyReply): Promise<ActiveSession | undefined> {
  const active = await account.resumeSession(request.cookies[SESSION_COOKIE]);
  if (!active) {
    clearSessionCookie(reply);
    reply.redirect('/ingresar', 303);
    return undefined;
  }
  return active;
}
