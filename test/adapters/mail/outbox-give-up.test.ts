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
 * An SMTP server that refuses recipients as real ones do. `nadie…@`: no such mailbox
 * (5.1.1). `spf…@`: 5.1.0, which servers also send at RCPT TO for an SPF failure of the
 * sender. `remitente…@`: the sender (5.1.7). `bloqueado…@`: a policy of the relay (5.7.1).
 * With `refuseSender`, it refuses every sender at MAIL FROM. Everyone else is taken.
 */
async function refusingServer(options: { pipelining: boolean; refuseSender?: boolean }): Promise<{ url: string; accepted: string[]; close(): Promise<void> }> {
  const accepted: string[] = [];
  const refusal = (text: string) => Object.assign(new Error(text), { responseCode: 550 });
  const refusals: [string, string][] = [
    ['nadie', '5.1.1 <nadie@correo.example>: el buzón no existe'],
    ['spf', '5.1.0 <127.0.0.1> is not allowed to send from <instituto.example> per its SPF Record'],
    ['remitente', '5.1.7 Bad sender address syntax'],
    ['bloqueado', '5.7.1 Relaying denied'],
  ];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    hidePIPELINING: !options.pipelining,
    logger: false,
    onMailFrom(_address, _session, callback) {
      callback(options.refuseSender ? refusal('5.1.1 <clave@instituto.example>: sender unknown') : undefined);
    },
    onRcptTo(address, _session, callback) {
      const refused = refusals.find(([prefix]) => address.address.startsWith(prefix));
      if (refused) return callback(refusal(refused[1]));
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
      (await clave.db.query<{ sent_at: Date | null; given_up_at: Date | null; given_up_reason: string | null; attempts: number; last_error: string | null; message: Record<string, unknown> }>(
        'SELECT sent_at, given_up_at, given_up_reason, attempts, last_error, message FROM outbox WHERE recipient = $1',
        [recipient],
      ))[0]!;
    /** Queued as the app queues mail, due now, with a deadline when it carries a link. */
    const queue = (recipient: string, deliverBy: Date | null = null) =>
      clave.db.query("INSERT INTO outbox (channel, recipient, message, created_at, available_at, deliver_by, cedula_ref) VALUES ('email', $1, $2, $3, $3, $4, $5)", [
        recipient,
        { subject: 'Su clave', text: 'texto con el enlace', html: '<p>texto con el enlace</p>', messageId: `<${recipient}>` },
        clock.now(),
        deliverBy,
        Buffer.alloc(32, 7),
      ]);
    const givenUpEvents = () => clave.db.query<{ detail: { reason: string; channel: string; outboxId: number; messageId: string } }>("SELECT detail FROM audit_events WHERE event = 'mail' AND outcome = 'given_up' ORDER BY id");

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
      assert.match(kept.given_up_reason!, /link expired/);
      assert.deepEqual(Object.keys(kept.message).sort(), ['messageId', 'subject'], 'no body, no token');
      assert.deepEqual(
        (await givenUpEvents()).map(({ detail }) => [detail.reason, detail.channel, detail.messageId]),
        [['link_expired', 'email', '<tarde@correo.example>']],
      );
      assert.equal((await clave.db.query('SELECT 1 FROM outbox WHERE sent_at IS NULL AND given_up_at IS NULL')).length, 0, 'nothing pending');
      assert.equal(await clave.outbox.drain(), 0, 'not claimed again');
    });

    /** Queues mail for each name at `domain`, lets the server answer it for a day, and returns which were given up. */
    async function refusedForADay(server: { url: string }, names: string[], domain: string): Promise<string[]> {
      const transport: MailTransport = createSmtpTransport(server.url, 'clave@instituto.example');
      const worker = createOutboxWorker({ db: clave.db, transport, clock: clock.now, logger: createLogger('silent'), pollMs: 60_000 });
      const recipients = names.map((name) => `${name}@${domain}`);
      try {
        for (const recipient of recipients) await queue(recipient);
        await worker.drain();
        for (const recipient of recipients) assert.equal((await row(recipient)).given_up_at, null, `${recipient}: a first refusal is not enough`);
        clock.advance(24 * 3_600_000);
        await worker.drain();
        const givenUp: string[] = [];
        for (const recipient of recipients) {
          const kept = await row(recipient);
          if (kept.given_up_at) givenUp.push(recipient);
          else assert.ok(kept.sent_at || (kept.attempts >= 2 && kept.last_error), `${recipient} is delivered or tried again`);
        }
        return givenUp;
      } finally {
        await worker.stop();
        await transport.close();
      }
    }

    for (const pipelining of [true, false]) {
      test(`a mailbox refused as nonexistent (5.1.1) for a day is given up; 5.1.0, sender and policy refusals are retried (${pipelining ? 'with' : 'without'} PIPELINING)`, async () => {
        const server = await refusingServer({ pipelining });
        try {
          const domain = `${pipelining ? 'con' : 'sin'}.example`;
          assert.deepEqual(await refusedForADay(server, ['nadie', 'spf', 'remitente', 'bloqueado'], domain), [`nadie@${domain}`]);
          const missing = await row(`nadie@${domain}`);
          assert.match(missing.given_up_reason!, /550 5\.1\.1/);
          const event = (await givenUpEvents()).at(-1)!.detail;
          assert.equal(event.reason, 'recipient_rejected');
          assert.equal(event.messageId, `<nadie@${domain}>`);
          assert.deepEqual(await refusedForADay(server, ['alguien'], domain), []);
          assert.deepEqual(server.accepted, [`alguien@${domain}`], 'the server takes everyone else');
        } finally {
          await server.close();
        }
      });
    }

    test('a relay that refuses the sender (even as 5.1.1, at MAIL FROM) gets every message again, however long it lasts', async () => {
      const server = await refusingServer({ pipelining: true, refuseSender: true });
      try {
        assert.deepEqual(await refusedForADay(server, ['nadie', 'alguien'], 'remitente.example'), []);
      } finally {
        await server.close();
      }
    });
  });
}
