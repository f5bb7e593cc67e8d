import type { FastifyInstance } from 'fastify';
import type { DevMailbox } from '../../../services/ports.ts';

// The HTML view of a caught mail is shown as its own document under a sandbox CSP:
// mail markup can never run script or load anything in the portal's origin.
const MAIL_HTML_CSP = "sandbox; default-src 'none'; img-src data:; style-src 'unsafe-inline'";

export function devMailboxRoutes(mailbox: DevMailbox) {
  return async (app: FastifyInstance): Promise<void> => {
    app.addHook('onSend', async (_request, reply) => {
      reply.header('cache-control', 'no-store');
    });
    app.get('/dev/correo', async (_request, reply) => reply.page('dev-mailbox/index.njk', { messages: mailbox.list() }));

    app.get<{ Params: { id: string } }>('/dev/correo/:id', async (request, reply) => {
      const message = mailbox.find(request.params.id);
      if (!message) return reply.code(404).page('dev-mailbox/message.njk', { message: undefined });
      return reply.page('dev-mailbox/message.njk', { message });
    });

    app.get<{ Params: { id: string } }>('/dev/correo/:id/html', async (request, reply) => {
      const message = mailbox.find(request.params.id);
      if (!message?.html) return reply.callNotFound();
      return reply.header('content-security-policy', MAIL_HTML_CSP).type('text/html; charset=utf-8').send(message.html);
    });
  };
}
