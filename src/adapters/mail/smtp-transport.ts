import nodemailer from 'nodemailer';
import type { MailTransport, OutgoingMail } from '../../services/ports.ts';

/**
 * SMTP through nodemailer: the same path for the built-in catcher and a real server.
 * Connections are pooled: opening one per message costs more than the message.
 */
export function createSmtpTransport(smtpUrl: string, from: string): MailTransport {
  // Timeouts well inside the outbox worker's one-minute claim on a message.
  const transporter = nodemailer.createTransport({ url: smtpUrl, pool: true, maxConnections: 3, connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000 });
  return {
    async send(mail: OutgoingMail) {
      await transporter.sendMail({
        from,
        to: mail.to,
        subject: mail.subject,
        text: mail.text,
        html: mail.html,
        ...(mail.messageId ? { messageId: mail.messageId } : {}),
      });
    },
    async close() {
      transporter.close();
    },
  };
}
