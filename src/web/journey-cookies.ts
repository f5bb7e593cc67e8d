import type { CookieSerializeOptions } from '@fastify/cookie';
import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * The cookies a journey leaves in the browser that went through it. HttpOnly, sent only
 * to the journey's own pages, and never from another site: they say what this browser did,
 * so that Back, a reload or the mailed link opened again lands on the page that follows.
 */
const journeyCookie = (secure: boolean): CookieSerializeOptions => ({ path: '/clave', httpOnly: true, sameSite: 'strict', secure });

/** The short-lived reset session of the pages: flow id and reset token in one cookie. */
export const RESET_COOKIE = 'clave_reset';

/**
 * How long the reset cookie outlives its session: a form sent after the deadline is then
 * still told which journey to start again, and that nothing typed was saved.
 */
const RESET_COOKIE_OUTLIVES_MS = 30 * 60_000;

export function setResetCookie(reply: FastifyReply, flowId: string, resetToken: string, expiresAt: Date, secure: boolean): void {
  reply.setCookie(RESET_COOKIE, `${flowId}.${resetToken}`, { ...journeyCookie(secure), expires: new Date(expiresAt.getTime() + RESET_COOKIE_OUTLIVES_MS) });
}

/** `flowId.rest` as two parts, or nothing when the value has no such shape. */
function flowAnd(value: string | undefined): { flowId: string; rest: string } | undefined {
  const dot = value?.indexOf('.') ?? -1;
  if (!value || dot < 1) return undefined;
  return { flowId: value.slice(0, dot), rest: value.slice(dot + 1) };
}

export function readResetCookie(request: FastifyRequest): { flowId: string; resetToken: string } | undefined {
  if (resetWasDone(request)) return undefined;
  const held = flowAnd(request.cookies[RESET_COOKIE]);
  return held && { flowId: held.flowId, resetToken: held.rest };
}

/**
 * What the cookie holds once the clave is set: `lista.<flow id>`, so Back to the form says
 * "done", not "expired", and the mail's spent link opened again says the same.
 */
const DONE = 'lista';
/** How long the pages that follow a finished journey are shown again to its browser. */
const FINISHED_MAX_AGE_SECONDS = 30 * 60;

/** The reset session is over because the clave was set. */
export function markResetDone(reply: FastifyReply, flowId: string, secure: boolean): void {
  reply.setCookie(RESET_COOKIE, `${DONE}.${flowId}`, { ...journeyCookie(secure), maxAge: FINISHED_MAX_AGE_SECONDS });
}

/** The finished marker, with the flow whose clave this browser set; a bare "lista" (given before the flow id was added) names none. */
function finished(request: FastifyRequest): { flowId?: string } | undefined {
  const value = request.cookies[RESET_COOKIE];
  if (value === DONE) return {};
  const held = flowAnd(value);
  return held?.flowId === DONE ? { flowId: held.rest } : undefined;
}

export const resetWasDone = (request: FastifyRequest): boolean => finished(request) !== undefined;

export const finishedFlowId = (request: FastifyRequest): string | undefined => finished(request)?.flowId;

/** That this browser locked its account with "No fui yo": the page that says so is its own. */
const DISOWNED_COOKIE = 'clave_bloqueada';

export function markDisowned(reply: FastifyReply, secure: boolean): void {
  reply.setCookie(DISOWNED_COOKIE, 'si', { ...journeyCookie(secure), maxAge: FINISHED_MAX_AGE_SECONDS });
}

export const wasDisowned = (request: FastifyRequest): boolean => request.cookies[DISOWNED_COOKIE] === 'si';

/** Which unlock flow this browser finished, and whether its account has a clave to sign in with. */
const UNLOCKED_COOKIE = 'clave_desbloqueada';

export interface Unlocked {
  flowId: string;
  hasClave: boolean;
}

export function markUnlocked(reply: FastifyReply, { flowId, hasClave }: Unlocked, secure: boolean): void {
  reply.setCookie(UNLOCKED_COOKIE, `${flowId}.${hasClave ? 'si' : 'no'}`, { ...journeyCookie(secure), maxAge: FINISHED_MAX_AGE_SECONDS });
}

export function readUnlocked(request: FastifyRequest): Unlocked | undefined {
  const held = flowAnd(request.cookies[UNLOCKED_COOKIE]);
  if (!held || (held.rest !== 'si' && held.rest !== 'no')) return undefined;
  return { flowId: held.flowId, hasClave: held.rest === 'si' };
}
