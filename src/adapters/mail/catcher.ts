import { SMTPServer } from 'smtp-server';
import { simpleParser } from 'mailparser';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { DevMailbox, MailboxMessage } from '../../services/ports.ts';

export type CaughtMail = MailboxMessage;

export interface MailCatcher extends DevMailbox {
  /** `smtp://127.0.0.1:PORT`, for nodemailer. */
  readonly url: string;
  /** Keeps a message that did not come by SMTP (the development SMS inbox). */
  add(message: CaughtMail): void;
  /** Resolves with the next message that matches, or rejects after `timeoutMs`. */
  waitFor(match: (mail: CaughtMail) => boolean, timeoutMs?: number): Promise<CaughtMail>;
  close(): Promise<void>;
}

const MAX_KEPT = 500;
const MAX_MESSAGE_BYTES = 1024 * 1024;

function addresses(value: unknown): string[] {
  const list = Array.isArray(value) ? value : value ? [value] : [];
  return list.flatMap((entry: { value?: { address?: string }[] }) => (entry.value ?? []).map((a) => a.address ?? '')).filter(Boolean);
}

/**
 * A development SMTP server on loopback that keeps the last messages in memory so
 * `/dev/correo` can show them. Never started when SMTP_URL is set or in production.
 */
export async function startMailCatcher(port = 0): Promise<MailCatcher> {
  const messages: CaughtMail[] = [];
  const waiters = new Set<{ match: (mail: CaughtMail) => boolean; resolve: (mail: CaughtMail) => void }>();
  const keep = (mail: CaughtMail) => {
    messages.unshift(mail);
    messages.length = Math.min(messages.length, MAX_KEPT);
    for (const waiter of waiters) if (waiter.match(mail)) waiter.resolve(mail);
  };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    size: MAX_MESSAGE_BYTES,
    logger: false,
    onData(stream, session, callback) {
      simpleParser(stream)
        .then((parsed) => {
          const mail: CaughtMail = {
            id: randomUUID(),
            receivedAt: new Date(),
            from: addresses(parsed.from)[0] ?? session.envelope.mailFrom?.toString() ?? '',
            to: session.envelope.rcptTo.map((rcpt) => rcpt.address),
            subject: parsed.subject ?? '',
            text: parsed.text ?? '',
            html: parsed.html === false ? undefined : parsed.html,
            messageId: parsed.messageId,
          };
          keep(mail);
          callback();
        })
        .catch((error: Error) => callback(error));
    },
  });
  server.on('error', () => undefined);
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const { port: boundPort } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${boundPort}`,
    list: () => [...messages],
    add: keep,
    find: (id) => messages.find((mail) => mail.id === id),
    waitFor(match, timeoutMs = 10_000) {
      const existing = messages.find(match);
      if (existing) return Promise.resolve(existing);
      return new Promise((resolve, reject) => {
        const waiter = {
          match,
          resolve: (mail: CaughtMail) => {
            clearTimeout(timer);
            waiters.delete(waiter);
            resolve(mail);
          },
        };
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          reject(new Error('no matching mail arrived in time'));
        }, timeoutMs);
        waiters.add(waiter);
      });
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
