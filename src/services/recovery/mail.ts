import { randomUUID } from 'node:crypto';
import { cedulaRef } from '../../domain/tokens.ts';
import type { AffiliateProfile, Locale, RecentMail, RecoveryStores } from '../recovery-ports.ts';
import type { Notification } from '../journey-ports.ts';
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

/** One notification on its way to the outbox, inside the caller's transaction. */
interface Outgoing {
  ctx: RecoveryContext;
  stores: RecoveryStores;
  affiliate: AffiliateProfile;
  notification: Notification;
  locale: Locale;
  now: Date;
  ref: Buffer;
}

/**
 * Queues a notification in the outbox, inside the caller's transaction: an e-mail to the
 * registered address and, for security notices, an SMS to a registered phone. Recovery
 * mail is limited per cédula (a daily cap; at most one a minute, by scheduling it later);
 * security notices always go. Returns whether anything was queued: false when the daily
 * cap dropped it or the affiliate has no channel for it.
 */
export async function queueMail(
  ctx: RecoveryContext,
  stores: RecoveryStores,
  affiliate: AffiliateProfile,
  notification: Notification,
  locale: Locale,
  kind: MailKind,
): Promise<boolean> {
  const outgoing: Outgoing = { ctx, stores, affiliate, notification, locale, now: ctx.clock(), ref: cedulaRef(ctx.secret, affiliate.cedula) };
  const mailed = affiliate.correo ? await queueEmail(outgoing, affiliate.correo, kind) : false;
  // §2.5: a security notice goes to every registered channel, so an affiliate with only a phone on file is told too.
  const texted = kind.category === 'security' ? await queueSms(outgoing) : false;
  return mailed || texted;
}

/** The e-mail; false when recovery mail's caps dropped it. */
async function queueEmail({ ctx, stores, affiliate, notification, locale, now, ref }: Outgoing, correo: string, kind: MailKind): Promise<boolean> {
  let availableAt = now;
  if (kind.category === 'recovery') {
    // Per destination address too: several cédulas may share one inbox.
    if (!(await ctx.throttle.consume('mail_address', correo.toLowerCase())).allowed) return false;
    const { count, latest } = kind.recent;
    if (count >= ctx.limits.emailsPerCedulaPerDay) return false;
    // Notices are spaced a minute apart; a link is never held back, its minutes are counting.
    if (notification.type !== 'link' && latest && latest.getTime() + SPACING_MS > now.getTime()) availableAt = later(latest, SPACING_MS);
  }
  const rendered = ctx.renderer.render(notification, { firstName: firstName(affiliate), locale });
  const deliverBy = notification.type === 'link' ? { deliverBy: notification.expiresAt } : {};
  await stores.outbox.enqueue({ channel: 'email', recipient: correo, category: kind.category, cedulaRef: ref, message: { ...rendered, messageId: newMessageId(ctx) }, availableAt, ...deliverBy }, now);
  return true;
}

/** The SMS of a security notice; false when SMS is off or no phone is registered. */
async function queueSms({ ctx, stores, affiliate, notification, locale, now, ref }: Outgoing): Promise<boolean> {
  if (!ctx.smsEnabled || !affiliate.celular) return false;
  const text = ctx.renderer.renderSms(notification, locale);
  await stores.outbox.enqueue({ channel: 'sms', recipient: affiliate.celular, category: 'security', cedulaRef: ref, message: { subject: '', html: '', text, messageId: newMessageId(ctx) }, availableAt: now }, now);
  return true;
}

function newMessageId(ctx: RecoveryContext): string {
  return `<${randomUUID()}@${ctx.publicUrl.hostname}>`;
}
