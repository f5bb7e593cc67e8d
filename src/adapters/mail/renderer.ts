import es from './locales/es.json' with { type: 'json' };
import en from './locales/en.json' with { type: 'json' };
import { JOURNEY_PATHS } from '../../domain/flow.ts';
import { createTranslator, type Translate } from '../../text-catalogue.ts';
import type { Locale } from '../../services/recovery-ports.ts';
import type { MailRenderer, Notification, RenderedMail } from '../../services/journey-ports.ts';

export interface RendererOptions {
  instituteName: string;
  publicUrl: URL;
  timeZone: string;
}

/** A message as blocks: paragraphs and at most one button, rendered to text and HTML alike. */
type Block = { paragraph: string } | { button: { label: string; url: string } };

interface Composed {
  subject: string;
  blocks: Block[];
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);

type DateFormats = { date: Intl.DateTimeFormat; time: Intl.DateTimeFormat };

/** Building an Intl.DateTimeFormat costs far more than using one: one pair per language and zone, kept. */
const formats = new Map<string, DateFormats>();

function formatsFor(locale: Locale, timeZone: string): DateFormats {
  const key = `${locale} ${timeZone}`;
  let found = formats.get(key);
  if (!found) {
    const tag = locale === 'es' ? 'es-EC' : 'en-GB';
    found = {
      date: new Intl.DateTimeFormat(tag, { timeZone, day: 'numeric', month: 'long', year: 'numeric' }),
      time: new Intl.DateTimeFormat(tag, { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }),
    };
    formats.set(key, found);
  }
  return found;
}

function when(at: Date, locale: Locale, timeZone: string): { date: string; time: string } {
  const { date, time } = formatsFor(locale, timeZone);
  return { date: date.format(at), time: time.format(at) };
}

/** An address of this service that opens its page in the mail's language. */
function inLanguage(href: string, locale: Locale): string {
  const url = new URL(href);
  url.searchParams.set('lang', locale);
  return url.href;
}

function compose(n: Notification, t: Translate, locale: Locale, options: RendererOptions): Composed {
  const url = (path: string) => inLanguage(new URL(path, options.publicUrl).href, locale);
  switch (n.type) {
    case 'link': {
      const journey = t(`journey.${n.kind}`);
      const blocks: Block[] = [
        { paragraph: t('link.intro', { journey }) },
        { paragraph: t('link.instructions', { deadline: t('deadline', when(n.expiresAt, locale, options.timeZone)) }) },
        { button: { label: t('link.button'), url: inLanguage(n.link, locale) } },
      ];
      if (n.ttlMinutes <= 5) blocks.push({ paragraph: t('link.shortLived', { minutes: n.ttlMinutes }) });
      return { subject: t('link.subject', { journey }), blocks: [...blocks, { paragraph: t('ignore') }] };
    }
    case 'identity_failed':
      return {
        subject: t('identityFailed.subject'),
        blocks: [
          { paragraph: t('identityFailed.intro', { journey: t(`journey.${n.kind}`) }) },
          { paragraph: t(n.remaining === 1 ? 'identityFailed.remainingOne' : 'identityFailed.remaining', { remaining: n.remaining }) },
          // Desbloquear asks only for the birth date; the other journeys ask about work too.
          { paragraph: t(n.kind === 'unlock' ? 'identityFailed.retryUnlock' : 'identityFailed.retry', { startUrl: url(`/clave/${JOURNEY_PATHS[n.kind]}`) }) },
          { paragraph: t('identityFailed.ignore') },
        ],
      };
    case 'identity_blocked':
      return { subject: t('identityBlocked.subject'), blocks: [{ paragraph: t('identityBlocked.intro') }, { paragraph: t('identityBlocked.wait') }, { paragraph: t('identityFailed.ignore') }] };
    case 'clave_changed':
      return {
        subject: t(n.generated ? 'changed.subjectGenerated' : 'changed.subjectChanged'),
        blocks: [
          { paragraph: t('changed.intro', { action: t(n.generated ? 'changed.actionGenerated' : 'changed.actionChanged'), ...when(n.at, locale, options.timeZone) }) },
          { paragraph: t('changed.login', { loginUrl: url('/ingresar') }) },
          { paragraph: t('changed.notMe') },
          { button: { label: t('changed.notMeButton'), url: inLanguage(n.disavowLink, locale) } },
        ],
      };
    case 'account_unlocked':
      return {
        subject: t('unlocked.subject'),
        blocks: [
          { paragraph: t(n.hasClave ? 'unlocked.intro' : 'unlocked.introNoClave', when(n.at, locale, options.timeZone)) },
          { paragraph: n.hasClave ? t('unlocked.login', { loginUrl: url('/ingresar') }) : t('unlocked.generate', { generateUrl: url(`/clave/${JOURNEY_PATHS.generate}`) }) },
          { paragraph: t('changed.notMe') },
          { button: { label: t('changed.notMeButton'), url: inLanguage(n.disavowLink, locale) } },
        ],
      };
    case 'unlock_refused_disowned':
      return {
        subject: t('disowned.subject'),
        blocks: [
          { paragraph: t('disowned.intro') },
          { paragraph: t('disowned.why', { recoverUrl: url(`/clave/${JOURNEY_PATHS.recover}`) }) },
          { paragraph: t('identityFailed.ignore') },
        ],
      };
    case 'account_locked':
      return {
        subject: t('locked.subject'),
        blocks: [
          { paragraph: t('locked.intro', { attempts: n.attempts, ...when(n.at, locale, options.timeZone) }) },
          { paragraph: t('locked.me', { unlockUrl: url('/clave/desbloquear') }) },
          { paragraph: t('locked.notMe', { recoverUrl: url('/clave/recuperar') }) },
        ],
      };
  }
}

function toText(greeting: string, blocks: Block[], footer: string[]): string {
  const body = blocks.map((block) => ('paragraph' in block ? block.paragraph : `${block.button.label}: ${block.button.url}`));
  return [greeting, ...body, '--', ...footer].join('\n\n') + '\n';
}

function toHtml(subject: string, greeting: string, blocks: Block[], footer: string[], lang: Locale): string {
  const body = blocks
    .map((block) =>
      'paragraph' in block
        ? `<p style="margin:0 0 16px">${escapeHtml(block.paragraph)}</p>`
        : `<p style="margin:0 0 16px"><a href="${escapeHtml(block.button.url)}" style="display:inline-block;background:#0b4f8a;color:#ffffff;padding:12px 20px;text-decoration:none;font-weight:bold;border-radius:4px">${escapeHtml(block.button.label)}</a></p><p style="margin:0 0 16px;font-size:14px;word-break:break-all">${escapeHtml(block.button.url)}</p>`,
    )
    .join('\n');
  const small = footer.map((line) => `<p style="margin:0 0 8px;font-size:13px;color:#505a5f">${escapeHtml(line)}</p>`).join('\n');
  return `<!DOCTYPE html><html lang="${lang}"><head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head><body style="margin:0;padding:24px;font-family:Arial,sans-serif;font-size:16px;line-height:1.5;color:#0b0c0c"><p style="margin:0 0 16px">${escapeHtml(greeting)}</p>\n${body}\n<hr style="border:0;border-top:1px solid #b1b4b6;margin:24px 0">\n${small}</body></html>`;
}

/** Mail in the person's language, as HTML and plain text; nothing but the first name of their data. */
export function createMailRenderer(options: RendererOptions): MailRenderer {
  const translators = {
    es: createTranslator(es, es, { institute: options.instituteName }),
    en: createTranslator(en, es, { institute: options.instituteName }),
  };
  return {
    renderSms(notification, locale) {
      const t = translators[locale];
      if (notification.type === 'clave_changed') {
        return t('sms.changed', { action: t(notification.generated ? 'changed.actionGenerated' : 'changed.actionChanged'), ...when(notification.at, locale, options.timeZone) });
      }
      if (notification.type === 'account_unlocked') return t('sms.unlocked', when(notification.at, locale, options.timeZone));
      if (notification.type === 'account_locked') return t('sms.locked', when(notification.at, locale, options.timeZone));
      throw new Error(`no SMS for ${notification.type}`);
    },
    render(notification, recipient): RenderedMail {
      const t = translators[recipient.locale];
      const { subject, blocks } = compose(notification, t, recipient.locale, options);
      const greeting = t('greeting', { firstName: recipient.firstName });
      const footer = [t('noReply'), t('help', { helpUrl: inLanguage(new URL('/ayuda/errores', options.publicUrl).href, recipient.locale) })];
      return { subject, text: toText(greeting, blocks, footer), html: toHtml(subject, greeting, blocks, footer, recipient.locale) };
    },
  };
}
