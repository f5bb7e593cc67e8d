import type { FastifyInstance } from 'fastify';
import type { DevMailbox } from '../../../services/ports.ts';

// The HTML view of a caught mail is shown as its own document under a sandbox CSP:
// mail markup can never run script or load anything in the portal's origin.
const MAIL_HTML_CSP = "sandbox; default-src 'none'; img-src data:; style-src 'unsafe-inline'";

/** Text split into plain runs and links to this portal, so the template can make only those clickable. */
export function linkSegments(text: string, origin: string): { text: string; href?: string }[] {
  const segments: { text: string; href?: string }[] = [];
  let last = 0;
  for (const match of text.matchAll(/https?:\/\/[^\s<>"]+/g)) {
    if (!match[0].startsWith(origin)) continue;
    segments.push({ text: text.slice(last, match.index) }, { text: match[0], href: match[0] });
    last = match.index + match[0].length;
  }
  segments.push({ text: text.slice(last) });
  return segments;
}

export function devMailboxRoutes(mailbox: DevMailbox, publicUrl: URL) {
  return async (app: FastifyInstance): Promise<void> => {
    app.addHook('onSend', async (_request, reply) => {
      reply.header('cache-control', 'no-store');
    });
    app.get('/dev/correo', async (_request, reply) => reply.page('dev-mailbox/index.njk', { messages: mailbox.list() }));

    app.get<{ Params: { id: string } }>('/dev/correo/:id', async (request, reply) => {
      const message = mailbox.find(request.params.id);
      if (!message) return reply.code(404).page('dev-mailbox/message.njk', { message: undefined });
      return reply.page('dev-mailbox/message.njk', { message, segments: linkSegments(message.text, publicUrl.origin) });
    });

    app.get<{ Params: { id: string } }>('/dev/correo/:id/html', async (request, reply) => {
      const message = mailbox.find(request.params.id);
      if (!message?.html) return reply.callNotFound();
      return reply.header('content-security-policy', MAIL_HTML_CSP).type('text/html; charset=utf-8').send(message.html);
    });
  };
}
