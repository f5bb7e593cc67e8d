import { randomUUID } from 'node:crypto';
import { cedulaRef } from '../../domain/tokens.ts';
import type { AffiliateProfile, Locale, Notification, RecentMail, RecoveryStores } from '../recovery-ports.ts';
import { later, type RecoveryContext } from './context.ts';

/** The daily cap on recovery mail counts what was queued over this long. */
export const RECOVERY_MAIL_CAP_WINDOW_MS = 24 * 3600_000;
const SPACING_MS = 60_000;

/** Where the daily cap on recovery mail starts counting. */
export function recoveryMailSince(now: Date): Date {
  return new Date(now.getTime() - RECOVERY_MAIL_CAP_WINDOW_MS);
}

function firstName(affiliate: AffiliateProfile): string {
  return affiliate.nombres.split(/\s+/)[0] ?? affiliate.nombres;
}

/**
 * Security notices always go; recovery mail counts against the cédula's daily cap, given
 * what was queued for it since `recoveryMailSince(now)` (read by the caller, in its transaction).
 */
export type MailKind = { category: 'security' } | { category: 'recovery'; recent: RecentMail };

/**
 * Queues a message in the outbox (and, for security notices, an SMS to a registered
 * phone), inside the caller's transaction. Recovery mail is
 * limited per cédula (a daily cap; at most one a minute, by scheduling it later);
 * security notices always go. Returns false when the daily cap dropped it.
 */
export async function queueMail(
  ctx: RecoveryContext,
  stores: RecoveryStores,
  affiliate: AffiliateProfile,
  notification: Notification,
  locale: Locale,
  kind: MailKind,
): Promise<boolean> {
  if (!affiliate.correo) return false;
  const { category } = kind;
  const now = ctx.clock();
  const ref = cedulaRef(ctx.secret, affiliate.cedula);
  let availableAt = now;
  if (kind.category === 'recovery') {
    // Per destination address too: several cédulas may share one inbox.
    if (!(await ctx.throttle.consume('mail_address', affiliate.correo.toLowerCase())).allowed) return false;
    const { count, latest } = kind.recent;
    if (count >= ctx.limits.emailsPerCedulaPerDay) return false;
    // Notices are spaced a minute apart; a link is never held back, its minutes are counting.
    if (notification.type !== 'link' && latest && latest.getTime() + SPACING_MS > now.getTime()) availableAt = later(latest, SPACING_MS);
  }
  const rendered = ctx.renderer.render(notification, { firstName: firstName(affiliate), locale });
  const deliverBy = notification.type === 'link' ? { deliverBy: notification.expiresAt } : {};
  await stores.outbox.enqueue({ channel: 'email', recipient: affiliate.correo, category, cedulaRef: ref, message: { ...rendered, messageId: newMessageId(ctx) }, availableAt, ...deliverBy }, now);
  // §2.5: a security notice goes to every registered channel.
  if (category === 'security' && ctx.smsEnabled && affiliate.celular) {
    const text = ctx.renderer.renderSms(notification, locale);
    await stores.outbox.enqueue({ channel: 'sms', recipient: affiliate.celular, category, cedulaRef: ref, message: { subject: '', html: '', text, messageId: newMessageId(ctx) }, availableAt }, now);
  }
  return true;
}

function newMessageId(ctx: RecoveryContext): string {
  return `<${randomUUID()}@${ctx.publicUrl.hostname}>`;
}
