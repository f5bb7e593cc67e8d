import type { OutgoingSms, SmsTransport } from '../../services/ports.ts';

const TIMEOUT_MS = 5000;

/**
 * An HTTP SMS gateway: one JSON POST per message. Anything but a 2xx is a failure the
 * outbox worker retries with back-off; the message id lets the gateway drop duplicates.
 */
export function createWebhookSms(url: string): SmsTransport {
  return {
    async send(sms: OutgoingSms) {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': sms.messageId },
        body: JSON.stringify({ to: sms.to, text: sms.text, id: sms.messageId }),
        signal: AbortSignal.timeout(TIMEOUT_MS),
        redirect: 'error',
      });
      await response.body?.cancel();
      if (!response.ok) throw new Error(`SMS gateway answered ${response.status}`);
    },
  };
}
