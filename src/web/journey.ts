import type { FastifyReply, FastifyRequest } from 'fastify';
import { checkCedula, normaliseCedulaInput } from '../domain/cedula.ts';
import { errorEntry, type ErrorCode } from '../domain/errors.ts';
import { JOURNEY_PATHS, type FlowKind } from '../domain/flow.ts';
import { PASSWORD_MAX_LENGTH } from '../domain/password-policy.ts';
import type { ClientInfo, NextStep, RefusalDetails } from '../services/recovery/index.ts';
import type { Limits } from '../config.ts';

/** The clave policy's figures as the copy and the catalogue name them: {min}, {max}, {below}, {history}. */
export function policyFigures(limits: Limits) {
  return { min: limits.passwordMinLength, max: PASSWORD_MAX_LENGTH, below: limits.passwordClassesBelow, history: limits.passwordHistory };
}

/** A lifetime as the pages say it: whole minutes. */
export const wholeMinutes = (ms: number): number => Math.round(ms / 60_000);

export interface FieldError {
  /** The id of the field the summary links to. */
  href: string;
  text: string;
}

/** The error summary's entries: one link per field in error, in the order the fields were given. */
export const errorSummary = (fieldErrors: Record<string, string>): FieldError[] => Object.entries(fieldErrors).map(([field, text]) => ({ href: `#${field}`, text }));

export function clientInfo(request: FastifyRequest): ClientInfo {
  const userAgent = request.headers['user-agent'];
  return { ip: request.ip, ...(typeof userAgent === 'string' ? { userAgent } : {}) };
}

/** clientInfo with a signal that aborts if the connection closes before the answer is sent. */
export function clientInfoUntilHangUp(request: FastifyRequest, reply: FastifyReply): ClientInfo {
  const hangUp = new AbortController();
  reply.raw.once('close', () => {
    if (!reply.raw.writableEnded) hangUp.abort();
  });
  return { ...clientInfo(request), hangUp: hangUp.signal };
}

/** Journey pages hold personal data and one-time links: never cached, never sent as a referrer. */
export function privatePage(reply: FastifyReply): FastifyReply {
  return reply.header('cache-control', 'no-store').header('referrer-policy', 'no-referrer');
}

const STATUS: Partial<Record<ErrorCode, number>> = {
  'CLV-001': 400,
  'CLV-002': 400,
  'CLV-003': 400,
  'CLV-004': 429,
  'CLV-020': 410,
  'CLV-021': 409,
  'CLV-022': 400,
  'CLV-040': 423,
  'CLV-041': 401,
  'CLV-043': 429,
  'CLV-050': 410,
  'CLV-090': 503,
};

export function statusFor(code: ErrorCode): number {
  return STATUS[code] ?? 400;
}

/**
 * What is wrong with a cédula refused as CLV-001, in words that fit what was typed: a
 * person who typed ten digits with one wrong is not helped by "10 dígitos".
 */
export function cedulaError(request: FastifyRequest, typed: string): string {
  const digits = normaliseCedulaInput(typed);
  const check = checkCedula(digits);
  if (!check.ok && check.problem === 'empty') return request.t('start.errors.cedulaMissing');
  // Cédulas of provinces 01–09 (Guayas among them) lose their first 0 in spreadsheets and forms that take them for numbers.
  if (!check.ok && digits.length === 9 && checkCedula(`0${digits}`).ok) return request.t('cedula.missingZero', { cedula: `0${digits}` });
  const problem = !check.ok && (check.problem === 'digits' || check.problem === 'length') ? check.problem : 'invalid';
  return request.t(`cedula.${problem}`, { count: digits.length });
}

interface PageLink {
  href: string;
  text: string;
}

const journeyLink = (request: FastifyRequest, kind: FlowKind, text = request.t(`journey.${kind}.title`)): PageLink => ({ href: `/clave/${JOURNEY_PATHS[kind]}`, text });

/**
 * Where a refusal's page sends a person: the journeys its "what to do" names, as links.
 * Starting again goes back to the journey the link or flow belonged to, where it is
 * known; otherwise to the start page, to choose.
 */
function nextSteps(request: FastifyRequest, code: ErrorCode, { restart, signIn = true }: NextStep): PageLink[] {
  const journey = (kind: FlowKind, text?: string) => journeyLink(request, kind, text);
  if (code === 'CLV-040') return [journey('unlock'), journey('recover')];
  const links = [restart ? journey(restart, request.t('journey.startAgainIn', { journey: request.t(`journey.${restart}.title`) })) : { href: '/', text: request.t('journey.startAgain') }];
  // "Si ya terminó el proceso, ingrese con su clave".
  if (code === 'CLV-021' && signIn) links.push({ href: '/ingresar', text: request.t('login.title') });
  return links;
}

/** When a throttled person may try again, rounded up to the minute a clock shows: never earlier than Retry-After. */
export const retryTime = (retryAfterSeconds: number | undefined): Date | undefined =>
  retryAfterSeconds ? new Date(Math.ceil((Date.now() + retryAfterSeconds * 1000) / 60_000) * 60_000) : undefined;

/** A refusal as a page: the catalogue's title, cause and next step, the links to take it, and when to try again. */
export function journeyErrorPage(request: FastifyRequest, reply: FastifyReply, code: ErrorCode, status = statusFor(code), next: RefusalDetails = {}): FastifyReply {
  const entry = errorEntry(code, request.locale, { institute: request.instituteName });
  // A 3-minute unlock link is easy to miss; Recuperar's lasts longer and unlocks too.
  const hint = code === 'CLV-020' && next.restart === 'unlock' ? { before: request.t('journey.unlockLinkTooShortBefore'), link: journeyLink(request, 'recover'), after: request.t('journey.unlockLinkTooShortAfter') } : undefined;
  // A spent "No fui yo" link has locked the account: "ingrese con su clave" cannot work.
  const action = next.signIn === false ? request.t('journey.accountLockedAction') : entry.action;
  return privatePage(reply).code(status).page('journey-error/journey-error.njk', { entry, action, links: nextSteps(request, code, next), hint, claveNotSaved: next.claveNotSaved, retryAt: retryTime(next.retryAfterSeconds) });
}
