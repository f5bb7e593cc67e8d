import { cedulaRef, hashToken, isWellFormedToken, issueToken } from '../../domain/tokens.ts';
import type { RecoveryStores, TokenLookup } from '../recovery-ports.ts';
import { later, type ClientInfo, type RecoveryContext } from './context.ts';
import { JourneyError } from './journey-error.ts';

/** "No fui yo" links in notices stay usable for a week: people read mail late. */
const DISAVOW_TTL_MS = 7 * 24 * 3600_000;

export async function issueDisavowLink(ctx: RecoveryContext, stores: RecoveryStores, cedula: string): Promise<string> {
  const now = ctx.clock();
  const { token, hash } = issueToken();
  await stores.tokens.insert(hash, { purpose: 'disavow', cedula, flowId: null, expiresAt: later(now, DISAVOW_TTL_MS) }, now);
  return new URL(`/clave/no-fui-yo?token=${token}`, ctx.publicUrl).href;
}

/**
 * A "No fui yo" link that cannot be used. Whoever holds one wants the account safe again:
 * starting again means Recuperar (a used link already locked the account).
 */
function disavowRefusal(lookup: Exclude<TokenLookup, { status: 'live' }>): JourneyError {
  if (lookup.status === 'unknown') return new JourneyError('CLV-022');
  return new JourneyError(lookup.status === 'expired' ? 'CLV-020' : 'CLV-021', { restart: 'recover', signIn: false });
}

export async function checkDisavowLink(ctx: RecoveryContext, token: unknown): Promise<void> {
  if (!isWellFormedToken(token)) throw new JourneyError('CLV-022');
  const lookup = await ctx.storage.stores.tokens.peek(hashToken(token), ['disavow'], ctx.clock());
  if (lookup.status !== 'live') throw disavowRefusal(lookup);
}

/** "No fui yo": locks the account again, ends its sessions and links, and leaves an audit trail for staff. */
export async function disavowChange(ctx: RecoveryContext, token: unknown, client: ClientInfo): Promise<void> {
  if (!isWellFormedToken(token)) throw new JourneyError('CLV-022');
  const now = ctx.clock();
  const refused = await ctx.storage.transaction(async (stores) => {
    const lookup = await stores.tokens.consume(hashToken(token), ['disavow'], now);
    if (lookup.status !== 'live') return disavowRefusal(lookup);
    const { cedula } = lookup.token;
    // Under the cédula's lock that identity follow-ups take: a Desbloquear verdict is then
    // worked out either before (its link is revoked below) or after (it finds the account disowned).
    await stores.identityFailures.lock(cedulaRef(ctx.secret, cedula));
    // Links before the account, in the order a redeemed link or a new clave takes them (its
    // token, then the account): the other order deadlocked against one at the same moment.
    await stores.tokens.revokeLive(cedula, ['recovery_link', 'unlock_link', 'reset_session'], now);
    await stores.accounts.disown(cedula, now);
    await stores.sessions.revokeAll(cedula, now);
    await stores.audit.record({ event: 'disavowed', outcome: 'account_locked', cedula, ip: client.ip, userAgent: client.userAgent, at: now });
    return undefined;
  });
  if (refused) throw refused;
}
