import { nextState, stepOf, type FlowKind } from '../../domain/flow.ts';
import { answersMatch } from '../../domain/knowledge-questions.ts';
import { cedulaRef, issueToken } from '../../domain/tokens.ts';
import type { AffiliateProfile, FlowRecord, IdentityOutcome, PendingOutcome, RecentMail, RecoveryStores } from '../recovery-ports.ts';
import { later, type ClientInfo, type RecoveryContext } from './context.ts';
import { JourneyError } from './journey-error.ts';
import { queueMail, recoveryMailSince } from './mail.ts';
import { canReceive } from './questions.ts';
import { identityStep } from './flow-view.ts';
import { throttled } from './throttled.ts';

export interface IdentityAnswers {
  birthDay: number;
  birthMonth: number;
  answers: Record<string, string>;
}

/** `birthDate`: a day and a month that are each fine but make no date (31 February). */
export type IdentityField = 'birthDay' | 'birthMonth' | 'birthDate' | `answer:${string}`;

/** The form itself is incomplete: told at once, it says nothing about any account. */
export class IdentityFormError extends Error {
  constructor(readonly fields: IdentityField[]) {
    super('identity form incomplete');
    this.name = 'IdentityFormError';
  }
}

/** The most days each month can have: 29 February is someone's birthday. */
const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function wholeNumber(value: unknown, min: number, max: number): number | undefined {
  const text = typeof value === 'number' ? String(value) : typeof value === 'string' ? value.trim() : '';
  if (!/^\d{1,2}$/.test(text)) return undefined;
  const number = Number(text);
  return number >= min && number <= max ? number : undefined;
}

/** Months as people write them, in Spanish and English, whole or cut short ("dic", "sept"). */
const MONTH_NAMES: ReadonlyArray<readonly string[]> = [
  ['enero', 'january'], ['febrero', 'february'], ['marzo', 'march'], ['abril', 'april'], ['mayo', 'may'], ['junio', 'june'],
  ['julio', 'july'], ['agosto', 'august'], ['septiembre', 'setiembre', 'september'], ['octubre', 'october'], ['noviembre', 'november'], ['diciembre', 'december'],
];

/** A month typed as a word, or undefined: the whole name, or its first three letters or more. */
function monthByName(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const word = value.trim().toLowerCase().normalize('NFD').replace(/\p{M}/gu, '').replace(/\.$/, '');
  if (word.length < 3) return undefined;
  const index = MONTH_NAMES.findIndex((names) => names.some((name) => name.startsWith(word)));
  return index < 0 ? undefined : index + 1;
}

/** Checks the shape of what was sent against the questions the flow asked. */
export function parseIdentityAnswers(raw: { birthDay?: unknown; birthMonth?: unknown; answers?: unknown }, questionIds: readonly string[]): IdentityAnswers {
  const birthDay = wholeNumber(raw.birthDay, 1, 31);
  const birthMonth = wholeNumber(raw.birthMonth, 1, 12) ?? monthByName(raw.birthMonth);
  const given = typeof raw.answers === 'object' && raw.answers !== null ? (raw.answers as Record<string, unknown>) : {};
  const answers: Record<string, string> = {};
  const missing: IdentityField[] = [];
  if (birthDay === undefined) missing.push('birthDay');
  if (birthMonth === undefined) missing.push('birthMonth');
  // Told at once, like any typing slip: checked against the registry, it would cost an attempt.
  if (birthDay !== undefined && birthMonth !== undefined && birthDay > DAYS_IN_MONTH[birthMonth - 1]!) missing.push('birthDate');
  for (const id of questionIds) {
    const answer = given[id];
    if (typeof answer === 'string' && answer.length > 0 && answer.length <= 64) answers[id] = answer;
    else missing.push(`answer:${id}`);
  }
  if (missing.length > 0) throw new IdentityFormError(missing);
  return { birthDay: birthDay!, birthMonth: birthMonth!, answers };
}

function birthMatches(affiliate: AffiliateProfile, answers: IdentityAnswers): boolean {
  const [, month, day] = affiliate.fechaNacimiento.split('-').map(Number);
  return day === answers.birthDay && month === answers.birthMonth;
}

export function linkTtlMs(ctx: RecoveryContext, kind: FlowKind): number {
  return kind === 'unlock' ? ctx.limits.unlockLinkTtlMs : ctx.limits.recoveryLinkTtlMs;
}

/**
 * The link lives exactly as long as the flow's "check your e-mail" step. The mail is
 * queued first: when a cap drops it, the link already in the inbox and the flow it
 * belongs to stay as they are, and no token is stored.
 */
async function sendLink(ctx: RecoveryContext, stores: RecoveryStores, flow: FlowRecord, affiliate: AffiliateProfile, expiresAt: Date, recentMail: RecentMail): Promise<void> {
  const now = ctx.clock();
  const ttl = linkTtlMs(ctx, flow.kind);
  const purpose = flow.kind === 'unlock' ? 'unlock_link' : 'recovery_link';
  const { token, hash } = issueToken();
  const link = new URL(`/clave/continuar?token=${token}`, ctx.publicUrl).href;
  const queued = await queueMail(ctx, stores, affiliate, { type: 'link', kind: flow.kind, link, expiresAt, ttlMinutes: Math.round(ttl / 60_000) }, flow.locale, { category: 'recovery', recent: recentMail });
  if (queued) {
    // A newer link replaces every older link of the same cédula, and the flows started
    // before this one that are past their identity step. A flow started after it (another
    // tab, the app) goes on: the newest request wins, so its own link will replace this one.
    // So does one still at its identity step: ending it here would show on its page (CLV-050)
    // only when this answer was right for a real affiliate, an oracle for anyone who holds it.
    await stores.tokens.revokeLive(flow.cedula, ['recovery_link', 'unlock_link', 'reset_session'], now);
    await stores.flows.supersedeOlder(flow.cedula, flow.id, now);
    await stores.tokens.insert(hash, { purpose, cedula: flow.cedula, flowId: flow.id, expiresAt }, now);
  }
  await stores.audit.record({ event: 'identity', outcome: 'verified', cedula: flow.cedula, flowId: flow.id, at: now, detail: { mail: queued ? 'queued' : 'daily_limit' } });
}

/**
 * Desbloquear for an account "No fui yo" locked: the clave its owner disowned must not work
 * again, so the registered inbox is told to make a new one (Recuperar) instead of a link.
 */
async function refuseUnlock(ctx: RecoveryContext, stores: RecoveryStores, flow: FlowRecord, affiliate: AffiliateProfile, recentMail: RecentMail): Promise<void> {
  const now = ctx.clock();
  const queued = await queueMail(ctx, stores, affiliate, { type: 'unlock_refused_disowned' }, flow.locale, { category: 'recovery', recent: recentMail });
  await stores.audit.record({ event: 'identity', outcome: 'verified', cedula: flow.cedula, flowId: flow.id, at: now, detail: { refused: 'disowned', mail: queued ? 'queued' : 'daily_limit' } });
}

async function recordFailure(ctx: RecoveryContext, stores: RecoveryStores, flow: FlowRecord, affiliate: AffiliateProfile, failuresBefore: number, recentMail: RecentMail): Promise<void> {
  const now = ctx.clock();
  const remaining = ctx.limits.identityMaxFailures - failuresBefore - 1;
  const notice = remaining > 0 ? ({ type: 'identity_failed', kind: flow.kind, remaining } as const) : ({ type: 'identity_blocked' } as const);
  await stores.identityFailures.record(cedulaRef(ctx.secret, flow.cedula), now);
  const queued = await queueMail(ctx, stores, affiliate, notice, flow.locale, { category: 'recovery', recent: recentMail });
  await stores.audit.record({ event: 'identity', outcome: 'failed', cedula: flow.cedula, flowId: flow.id, at: now, detail: { remaining, mail: queued ? 'queued' : 'daily_limit' } });
}

/**
 * Works out what an identity verdict leads to: a link, a failure notice, or nothing.
 * Runs after the answer, as of the moment the answers arrived, one cédula at a time
 * so parallel submissions cannot slip past the failure limit. Verdicts are claimed
 * oldest first but may get the cédula's lock in another order, so the flow is judged
 * as it stands once the lock is held.
 */
async function followUp(ctx: RecoveryContext, stores: RecoveryStores, { outcome, flow, affiliate }: PendingOutcome): Promise<void> {
  const now = outcome.submittedAt;
  const base = { flowId: outcome.flowId, ip: outcome.ip, userAgent: outcome.userAgent, at: now };
  if (!flow || outcome.verdict === 'not_eligible' || !canReceive(affiliate)) return stores.audit.record({ ...base, cedula: flow?.cedula, event: 'identity', outcome: 'not_eligible' });
  const ref = cedulaRef(ctx.secret, flow.cedula);
  await stores.identityFailures.lock(ref);
  const { failures, recentMail, flowNow, disowned } = await stores.identityFailures.tally(ref, flow.id, new Date(now.getTime() - ctx.limits.identityFailureWindowMs), recoveryMailSince(now));
  if (failures >= ctx.limits.identityMaxFailures) return stores.audit.record({ ...base, cedula: flow.cedula, event: 'identity', outcome: 'blocked' });
  const asOfArrival = { ...ctx, clock: () => now };
  // A wrong answer counts, and its inbox is told, whatever became of its flow since:
  // the notice replaces no link, and skipping it would hide an attempt from the owner
  // (or the CLV-011 that is told only once).
  if (outcome.verdict !== 'verified') return recordFailure(asOfArrival, stores, flow, affiliate, failures, recentMail);
  // A link only for a flow still waiting for it: one for a flow a newer link superseded
  // meanwhile, or past its deadline, would be dead on arrival and would revoke the live one.
  const step = stepOf({ ...flow, ...flowNow }, ctx.clock());
  if (step !== 'check_email') return stores.audit.record({ ...base, cedula: flow.cedula, event: 'identity', outcome: step });
  if (flow.kind === 'unlock' && disowned) return refuseUnlock(asOfArrival, stores, flow, affiliate, recentMail);
  return sendLink(asOfArrival, stores, flow, affiliate, outcome.linkExpiresAt, recentMail);
}

/**
 * Follows up every pending verdict; any instance may run it, each verdict is taken once.
 * `justRecorded`: the caller has just stored one, so there is no need to ask.
 */
export async function processIdentityOutcomes(ctx: RecoveryContext, justRecorded = false): Promise<number> {
  let processed = 0;
  // Asking first costs one round trip; a transaction that finds nothing costs three.
  let more = justRecorded || (await ctx.storage.stores.outcomes.anyPending());
  while (more) {
    const pending = await ctx.storage.transaction(async (stores) => {
      const claimed = await stores.outcomes.claimNext();
      if (claimed) {
        await followUp(ctx, stores, claimed);
        await stores.outcomes.markProcessed(claimed.outcome.flowId, ctx.clock());
      }
      return claimed;
    });
    if (!pending) break;
    processed++;
    more = pending.more;
  }
  if (processed > 0) ctx.onMailQueued?.();
  return processed;
}

/**
 * Step 2. Whatever the outcome, the caller shows the same "revise su correo" answer
 * after the same work: the verdict is stored with the flow's move in one statement
 * for every case, and what it leads to (a link or a failure notice for the
 * registered inbox, nothing for an unknown or unverified cédula) is worked out after.
 */
export async function submitIdentity(ctx: RecoveryContext, flowId: string, raw: Parameters<typeof parseIdentityAnswers>[0], client: ClientInfo): Promise<{ step: 'check_email'; kind: FlowKind; linkExpiresAt: Date }> {
  await throttled(ctx, 'identity_ip', client.ip);
  const { flow, subject } = await identityStep(ctx, flowId);
  const answers = parseIdentityAnswers(raw, subject.questions.questions.map((q) => q.id));
  const matched = answersMatch(subject.questions.answerKey, answers.answers) && subject.affiliate !== undefined && birthMatches(subject.affiliate, answers);
  const verdict = subject.affiliate ? (matched ? 'verified' : 'failed') : 'not_eligible';
  const now = ctx.clock();
  const deadline = later(now, linkTtlMs(ctx, flow.kind));
  const outcome: IdentityOutcome = { flowId: flow.id, verdict, submittedAt: now, linkExpiresAt: deadline, ...client };
  if (!(await ctx.storage.stores.outcomes.recordMoving(outcome, 'identity', nextState(flow, 'identity_submitted')))) throw new JourneyError('CLV-050');
  ctx.background.run(async () => void (await processIdentityOutcomes(ctx, true)));
  // The same deadline whatever the verdict: a link, if one is sent, expires then.
  return { step: 'check_email', kind: flow.kind, linkExpiresAt: deadline };
}
