import { isWellFormedToken, hashToken, issueToken } from '../../domain/tokens.ts';
import { nextState, stepOf, type FlowKind } from '../../domain/flow.ts';
import type { RecoveryStores, TokenLookup } from '../recovery-ports.ts';
import { later, type ClientInfo, type RecoveryContext } from './context.ts';
import { JourneyError } from './journey-error.ts';
import { queueMail } from './mail.ts';
import { issueDisavowLink } from './disavow.ts';
import { throttled } from './throttled.ts';

const LINK_PURPOSES = ['recovery_link', 'unlock_link'] as const;

/** `hasClave`: whether the unlocked account has a clave to sign in with; someone who never made one is sent to Generar. */
export type Redeemed = { flowId: string; step: 'set_password'; resetToken: string; resetExpiresAt: Date } | { flowId: string; step: 'unlocked'; hasClave: boolean };

function refusal(lookup: Exclude<TokenLookup, { status: 'live' }>): JourneyError {
  if (lookup.status === 'unknown') return new JourneyError('CLV-022');
  return new JourneyError(lookup.status === 'expired' ? 'CLV-020' : 'CLV-021', { restart: lookup.journey });
}

/** The reset session a browser holds (its cookie), if it is live and of that flow. */
async function holdsLiveReset(ctx: RecoveryContext, held: { flowId: string; resetToken: string }): Promise<boolean> {
  if (!isWellFormedToken(held.resetToken)) return false;
  const reset = await ctx.storage.stores.tokens.peek(hashToken(held.resetToken), ['reset_session'], ctx.clock());
  return reset.status === 'live' && reset.token.flowId === held.flowId;
}

/** What a browser holds of journeys it went through: the live reset session it opened, the unlock or the clave it finished. */
export interface HeldByBrowser {
  reset?: { flowId: string; resetToken: string };
  unlockedFlowId?: string;
  /** The Generar or Recuperar flow whose clave this browser set. */
  finishedFlowId?: string;
}

/**
 * GET of a link: says whether it can be used (and which journey it continues), and changes
 * nothing (mail scanners prefetch links). For a spent link, the browser that spent it is
 * told where it got to: 'resume' while it holds the live reset session the link opened (the
 * mail's link opened again, or Back from the new-clave page, goes on to that page),
 * 'unlocked' when the link was the unlock it finished, 'finished' when it opened the reset
 * session in which this browser set the clave. Anyone else is told the link was used.
 */
export async function checkLink(ctx: RecoveryContext, token: unknown, held: HeldByBrowser = {}): Promise<{ usable: FlowKind | undefined } | 'resume' | 'unlocked' | 'finished'> {
  if (!isWellFormedToken(token)) throw new JourneyError('CLV-022');
  const lookup = await ctx.storage.stores.tokens.peek(hashToken(token), LINK_PURPOSES, ctx.clock());
  if (lookup.status === 'used' && lookup.flowId !== undefined) {
    if (lookup.journey === 'unlock' && lookup.flowId === held.unlockedFlowId) return 'unlocked';
    if (lookup.journey !== 'unlock' && lookup.flowId === held.finishedFlowId) return 'finished';
    if (held.reset && lookup.flowId === held.reset.flowId && (await holdsLiveReset(ctx, held.reset))) return 'resume';
  }
  if (lookup.status !== 'live') throw refusal(lookup);
  return { usable: lookup.journey };
}

async function unlockAccount(ctx: RecoveryContext, stores: RecoveryStores, cedula: string, flowId: string, locale: 'es' | 'en'): Promise<boolean> {
  const now = ctx.clock();
  const hasClave = await stores.accounts.unlock(cedula, now);
  const affiliate = await stores.registry.affiliate(cedula);
  const disavowLink = await issueDisavowLink(ctx, stores, cedula);
  if (affiliate) await queueMail(ctx, stores, affiliate, { type: 'account_unlocked', at: now, disavowLink, hasClave }, locale, { category: 'security' });
  await stores.audit.record({ event: 'account_unlocked', outcome: 'ok', cedula, flowId, at: now });
  return hasClave;
}

/** POST of a link: consumes it atomically; exactly one request can ever succeed. */
export async function redeemLink(ctx: RecoveryContext, token: unknown, client: ClientInfo): Promise<Redeemed> {
  await throttled(ctx, 'redeem_ip', client.ip);
  if (!isWellFormedToken(token)) throw new JourneyError('CLV-022');
  const now = ctx.clock();
  const result = await ctx.storage.transaction(async (stores): Promise<Redeemed | JourneyError> => {
    const { lookup, flow } = await stores.flows.findConsuming(hashToken(token), LINK_PURPOSES, now);
    const audit = { event: 'link_redeemed', ip: client.ip, userAgent: client.userAgent, at: now };
    if (lookup.status !== 'live') {
      await stores.audit.record({ ...audit, outcome: lookup.status });
      return refusal(lookup);
    }
    const { cedula } = lookup.token;
    if (!flow || stepOf(flow, now) !== 'check_email') return new JourneyError('CLV-021', { restart: flow?.kind });
    const to = nextState(flow, 'link_redeemed');
    const resetExpiresAt = later(now, ctx.limits.resetSessionTtlMs);
    await stores.flows.advance(flow.id, 'check_email', to, to === 'done' ? now : resetExpiresAt, now);
    await stores.audit.record({ ...audit, outcome: 'ok', cedula, flowId: flow.id });
    if (to === 'done') {
      const hasClave = await unlockAccount(ctx, stores, cedula, flow.id, flow.locale);
      return { flowId: flow.id, step: 'unlocked', hasClave };
    }
    const reset = issueToken();
    await stores.tokens.insert(reset.hash, { purpose: 'reset_session', cedula, flowId: flow.id, expiresAt: resetExpiresAt }, now);
    return { flowId: flow.id, step: 'set_password', resetToken: reset.token, resetExpiresAt };
  });
  if (result instanceof JourneyError) throw result;
  // Only an unlock sends something (its notice); a kick for nothing costs the worker a pass.
  if (result.step === 'unlocked') ctx.onMailQueued?.();
  return result;
}
