import type { FastifyReply, FastifyRequest } from 'fastify';

/** The short-lived reset session of the pages: flow id and reset token in one HttpOnly cookie. */
export const RESET_COOKIE = 'clave_reset';

export function setResetCookie(reply: FastifyReply, flowId: string, resetToken: string, expiresAt: Date, secure: boolean): void {
  reply.setCookie(RESET_COOKIE, `${flowId}.${resetToken}`, { path: '/clave', httpOnly: true, sameSite: 'strict', secure, expires: expiresAt });
}

export function readResetCookie(request: FastifyRequest): { flowId: string; resetToken: string } | undefined {
  const value = request.cookies[RESET_COOKIE];
  const dot = value?.indexOf('.') ?? -1;
  if (!value || dot < 1) return undefined;
  return { flowId: value.slice(0, dot), resetToken: value.slice(dot + 1) };
}

/** What the cookie holds once the clave is set: only that, so Back to the form says "done", not "expired". */
const DONE = 'lista';
const DONE_MAX_AGE_SECONDS = 30 * 60;

/** The reset session is over because the clave was set. */
export function markResetDone(reply: FastifyReply, secure: boolean): void {
  reply.setCookie(RESET_COOKIE, DONE, { path: '/clave', httpOnly: true, sameSite: 'strict', secure, maxAge: DONE_MAX_AGE_SECONDS });
}

export const resetWasDone = (request: FastifyRequest): boolean => request.cookies[RESET_COOKIE] === DONE;
