import type { FastifyInstance } from 'fastify';
import { FLOW_KINDS, JOURNEY_PATHS } from '../../../domain/flow.ts';
import { privatePage } from '../../journey.ts';
import { totalSteps } from '../start/routes.ts';

export interface CheckEmailOptions {
  linkMinutes: { recovery: number; unlock: number };
  emailsPerDay: number;
  /** IDENTITY_MAX_FAILURES per IDENTITY_FAILURE_WINDOW, in hours. */
  identityFailures: { max: number; hours: number };
  clock: () => Date;
}

/**
 * The link's deadline from `hasta` (seconds since 1970, set by the identity step), when it
 * is one the link could have: a reload then counts down from where it was, not from the
 * start. Anything else (typed by hand, or no value) shows the full validity instead.
 */
function deadlineOf(hasta: string | undefined, now: Date, minutes: number): Date | undefined {
  if (!hasta || !/^\d{1,12}$/.test(hasta)) return undefined;
  const deadline = new Date(Number(hasta) * 1000);
  // A minute of leeway: the instance that set it may run a little ahead of this one.
  const latest = now.getTime() + minutes * 60_000 + 60_000;
  return deadline.getTime() <= latest && deadline.getTime() > latest - 24 * 3_600_000 ? deadline : undefined;
}

/**
 * Step 3, the one uniform answer: the same page whatever happened with the identity
 * step, so it cannot tell anyone whether a cédula is registered or the answers matched.
 * The deadline is the same for every outcome too.
 */
export function checkEmailRoutes(options: CheckEmailOptions) {
  return async (app: FastifyInstance): Promise<void> => {
    app.get<{ Querystring: { tipo?: string; hasta?: string } }>('/clave/revise-su-correo', async (request, reply) => {
      const kind = FLOW_KINDS.find((k) => JOURNEY_PATHS[k] === request.query.tipo) ?? 'recover';
      const minutes = kind === 'unlock' ? options.linkMinutes.unlock : options.linkMinutes.recovery;
      const now = options.clock();
      const deadline = deadlineOf(request.query.hasta, now, minutes);
      return privatePage(reply).page('check-email/check-email.njk', {
        step: 3,
        totalSteps: totalSteps(kind),
        minutes,
        until: deadline,
        secondsLeft: deadline ? Math.max(0, Math.floor((deadline.getTime() - now.getTime()) / 1000)) : minutes * 60,
        emailsPerDay: options.emailsPerDay,
        identityFailures: options.identityFailures,
        againUrl: `/clave/${JOURNEY_PATHS[kind]}`,
        unlock: kind === 'unlock',
      });
    });
  };
}
