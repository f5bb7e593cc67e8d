import { randomUUID } from 'node:crypto';
import type { OutgoingSms, SmsTransport } from '../../services/ports.ts';
import type { MailCatcher } from '../mail/catcher.ts';

/** Development: SMS shown in /dev/correo beside the e-mail, so every notice can be seen. */
export function createDevInboxSms(catcher: MailCatcher): SmsTransport {
  return {
    async send(sms: OutgoingSms) {
      catcher.add({ id: randomUUID(), receivedAt: new Date(), from: 'SMS', to: [sms.to], subject: `SMS: ${sms.text.slice(0, 60)}…`, text: sms.text, html: undefined, messageId: sms.messageId });
    },
  };
}
