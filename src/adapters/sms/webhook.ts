import type { OutgoingSms, SmsTransport } from '../../services/ports.ts';

const TIMEOUT_MS = 5000;

interface Gateway {
  /** The URL without user:password: fetch refuses a URL that carries them. */
  endpoint: string;
  headers: Record<string, string>;
}

/** user:password in SMS_WEBHOOK_URL become an Authorization: Basic header. */
function gatewayOf(url: string): Gateway {
  const endpoint = new URL(url);
  const { username, password } = endpoint;
  endpoint.username = '';
  endpoint.password = '';
  if (username === '' && password === '') return { endpoint: endpoint.href, headers: {} };
  const credentials = Buffer.from(`${decodeURIComponent(username)}:${decodeURIComponent(password)}`).toString('base64');
  return { endpoint: endpoint.href, headers: { authorization: `Basic ${credentials}` } };
}

/**
 * A failure that names no URL: its message is stored in outbox.last_error and may be
 * logged, and the URL's path or query may hold a key. Whatever kept the request from an
 * answer (refused, reset, DNS, no route, the timeout of a firewall that drops packets) is
 * the gateway being away, so the outbox worker tries again within seconds of its return
 * rather than after a long back-off.
 */
function unreachable(error: unknown): Error {
  const cause = (error as { cause?: { code?: unknown } }).cause;
  const reason = typeof cause?.code === 'string' ? cause.code : (error as Error).name;
  return Object.assign(new Error(`SMS gateway could not be reached (${reason})`), { code: 'ECONNECTION' });
}

/**
 * An HTTP SMS gateway: one JSON POST per message. Anything but a 2xx is a failure the
 * outbox worker retries with back-off; the message id lets the gateway drop duplicates.
 */
export function createWebhookSms(url: string): SmsTransport {
  const gateway = gatewayOf(url);
  return {
    async send(sms: OutgoingSms) {
      const response = await fetch(gateway.endpoint, {
        method: 'POST',
        headers: { ...gateway.headers, 'content-type': 'application/json', 'idempotency-key': sms.messageId },
        body: JSON.stringify({ to: sms.to, text: sms.text, id: sms.messageId }),
        signal: AbortSignal.timeout(TIMEOUT_MS),
        redirect: 'error',
      }).catch((error: unknown) => {
        throw unreachable(error);
      });
      await response.body?.cancel();
      if (!response.ok) throw new Error(`SMS gateway answered ${response.status}`);
    },
  };
}
