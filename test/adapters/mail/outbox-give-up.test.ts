import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { backends } from '../../support/backends.ts';
import { startTestClave, type TestClave } from '../../support/clave.ts';
import { testClock, MINUTE } from '../../support/clock.ts';
import { birthOf, correctAnswers, apiCaptcha, loadDemoRegistry, verifiedPeople } from '../../support/journey.ts';
import { createLogger } from '../../../src/adapters/logger.ts';
import { createOutboxWorker } from '../../../src/adapters/mail/outbox-worker.ts';
import { createSmtpTransport } from '../../../src/adapters/mail/smtp-transport.ts';
import type { MailTransport } from '../../../src/services/ports.ts';

/**
 * An SMTP server that refuses two recipients as real ones do: `nadie@` for good (no such
 * mailbox, 5.1.1), `bloqueado@` by a policy of the relay (5.7.1), which may be its
 * configuration and so is no reason to give up. Everyone else is taken.
 */
async function refusingServer(): Promise<{ url: string; accepted: string[]; close(): Promise<void> }> {
  const accepted: string[] = [];
  const refusal = (text: string) => Object.assign(new Error(text), { responseCode: 550 });
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onRcptTo(address, _session, callback) {
      if (address.address.startsWith('nadie@')) return callback(refusal('5.1.1 <nadie@correo.example>: el buzón no existe'));
      if (address.address.startsWith('bloqueado@')) return callback(refusal('5.7.1 Relaying denied'));
      accepted.push(address.address);
      callback();
    },
    onData(stream, _session, callback) {
      stream.resume();
      stream.on('end', () => callback());
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `smtp://127.0.0.1:${(server.server.address() as AddressInfo).port}`,
    accepted,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

for (const backend of backends()) {
  describe(`outbox: mail that can no longer help is given up, on ${backend.name}`, () => {
    let clave: TestClave;
    const clock = testClock();
    const [ana] = verifiedPeople();
    const row = async (recipient: string) =>
      (await clave.db.query<{ sent_at: Date | null; given_up_at: Date | null; attempts: number; last_error: string | null; message: Record<string, unknown>; available_at: Date }>(
        'SELECT sent_at, given_up_at, attempts, last_error, message, available_at FROM outbox WHERE recipient = $1',
        [recipient],
      ))[0]!;
    /** Queued as the app queues mail, due now, with a deadline when it carries a link. */
    const queue = (recipient: string, deliverBy: Date | null = null) =>
      clave.db.query("INSERT INTO outbox (channel, recipient, message, available_at, deliver_by, cedula_ref) VALUES ('email', $1, $2, $3, $4, $5)", [
        recipient,
        { subject: 'Su clave', text: 'texto con el enlace', html: '<p>texto con el enlace</p>', messageId: `<${recipient}>` },
        clock.now(),
        deliverBy,
        Buffer.alloc(32, 7),
      ]);
    const givenUpEvents = () => clave.db.query<{ detail: { reason: string; channel: string } }>("SELECT detail FROM audit_events WHERE event = 'mail' AND outcome = 'given_up' ORDER BY id");

    before(async () => {
      clave = await startTestClave(backend, { CAPTCHA_MAX_NUMBER: '1000' }, { clock: clock.now });
      await loadDemoRegistry(clave);
    });
    after(async () => clave.dispose());

    test('a link mail is due by the time its link expires', async () => {
      const post = (url: string, payload: object) => clave.web.inject({ method: 'POST', url, payload });
      const started = await post('/api/v1/flows', { kind: 'recover', cedula: ana!.affiliate.cedula, captcha: await apiCaptcha(clave) });
      const { flowId } = started.json() as { flowId: string };
      assert.equal((await post(`/api/v1/flows/${flowId}/identity`, { ...birthOf(ana!), answers: await correctAnswers(clave, ana!) })).statusCode, 202);
      await clave.settle();
      const [link] = await clave.db.query<{ deliver_by: Date; expires_at: Date; sent_at: Date | null }>(
        "SELECT o.deliver_by, o.sent_at, t.expires_at FROM outbox o, tokens t WHERE o.recipient = $1 AND t.flow_id = $2 AND t.purpose = 'recovery_link'",
        [ana!.affiliate.correo, flowId],
      );
      assert.deepEqual(link!.deliver_by, link!.expires_at);
      assert.ok(link!.sent_at, 'delivered while its link lives');
    });

    test('a link mail still undelivered when its link expires is not sent: its body goes, staff see why, nothing stays pending', async () => {
      await queue('tarde@correo.example', new Date(clock.now().getTime() + 15 * MINUTE));
      clock.advance(15 * MINUTE);
      assert.equal(await clave.outbox.drain(), 1);
      assert.equal(clave.catcher!.list().filter((mail) => mail.to.includes('tarde@correo.example')).length, 0, 'not sent');
      const kept = await row('tarde@correo.example');
      assert.ok(kept.given_up_at && !kept.sent_at);
      assert.match(kept.last_error!, /link expired/);
      assert.deepEqual(Object.keys(kept.message).sort(), ['messageId', 'subject'], 'no body, no token');
      assert.deepEqual((await givenUpEvents()).map((event) => event.detail), [{ reason: 'link_expired', channel: 'email' }]);
      assert.equal((await clave.db.query('SELECT 1 FROM outbox WHERE sent_at IS NULL AND given_up_at IS NULL')).length, 0, 'nothing pending');
      assert.equal(await clave.outbox.drain(), 0, 'not claimed again');
    });

    test('a mailbox that does not exist (550 5.1.1) is given up at the first refusal; a refusal by policy (5.7.1) is retried', async () => {
      const server = await refusingServer();
      const transport: MailTransport = createSmtpTransport(server.url, 'clave@instituto.example');
      const worker = createOutboxWorker({ db: clave.db, transport, clock: clock.now, logger: createLogger('silent'), pollMs: 60_000 });
      try {
        for (const recipient of ['nadie@correo.example', 'bloqueado@correo.example']) await queue(recipient);
        assert.equal(await worker.drain(), 2);
        const missing = await row('nadie@correo.example');
        assert.ok(missing.given_up_at, 'given up');
        assert.match(missing.last_error!, /550 5\.1\.1/);
        const refused = await row('bloqueado@correo.example');
        assert.equal(refused.given_up_at, null, 'kept for another try');
        assert.ok(refused.available_at.getTime() > clock.now().getTime(), 'after a back-off');
        assert.deepEqual((await givenUpEvents()).at(-1)!.detail, { reason: 'recipient_rejected', channel: 'email' });
        clock.advance(MINUTE);
        assert.equal(await worker.drain(), 1, 'only the one refused by policy is tried again');
        await queue('alguien@correo.example');
        await worker.drain();
        assert.deepEqual(server.accepted, ['alguien@correo.example'], 'the server takes everyone else');
      } finally {
        await worker.stop();
        await transport.close();
        await server.close();
      }
    });
  });
}
