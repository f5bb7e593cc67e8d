import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AccountService, ActiveSession } from '../services/account/index.ts';

export const SESSION_COOKIE = 'clave_sesion';

/** Ingresar with the notice that the session this browser had has ended. */
export const SESSION_ENDED_URL = '/ingresar?sesion=terminada';

export function setSessionCookie(reply: FastifyReply, token: string, expires: Date, secure: boolean): void {
  reply.setCookie(SESSION_COOKIE, token, { path: '/', httpOnly: true, sameSite: 'lax', secure, expires });
}

export function clearSessionCookie(reply: FastifyReply): void {
  reply.clearCookie(SESSION_COOKIE, { path: '/' });
  // The page this answer shows is drawn without it too: no "Mi cuenta" in its header.
  delete reply.request.cookies[SESSION_COOKIE];
}

/** The signed-in person, or a trip to Ingresar. */
export async function requireSession(account: AccountService, request: FastifyRequest, reply: FastifyReply): Promise<ActiveSession | undefined> {
  const active = await account.resumeSession(request.cookies[SESSION_COOKIE]);
  if (!active) {
    // A browser that held a session which no longer works is told why it must sign in again.
    const ended = typeof request.cookies[SESSION_COOKIE] === 'string' && request.cookies[SESSION_COOKIE] !== '';
    clearSessionCookie(reply);
    reply.redirect(ended ? SESSION_ENDED_URL : '/ingresar', 303);
    return undefined;
  }
  return active;
}
