import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type AddressInfo } from 'node:net';
import { backends } from '../../support/backends.ts';
import type { Database } from '../../../src/adapters/db/database.ts';
import { migrate } from '../../../src/adapters/db/migrate.ts';
import { createLogger } from '../../../src/adapters/logger.ts';
import { startMailCatcher, type MailCatcher } from '../../../src/adapters/mail/catcher.ts';
import { createOutboxWorker, type OutboxWorker } from '../../../src/adapters/mail/outbox-worker.ts';
import { createSmtpTransport } from '../../../src/adapters/mail/smtp-transport.ts';
import type { MailTransport } from '../../../src/services/ports.ts';

/** Queued as the app queues: due from this process's clock (the database's now() has finer steps). */
const queue = (db: Database, recipient: string) =>
  db.query("INSERT INTO outbox (channel, recipient, message, available_at) VALUES ('email', $1, $2, $3)", [
    recipient,
    { subject: `Para ${recipient}`, text: 'texto', html: '<p>texto</p>', messageId: `<${recipient}>` },
    new Date(),
  ]);

/** A real transport whose sends wait until released: [transport, a send has begun, release]. */
function heldAtTheDoor(real: MailTransport): [MailTransport, Promise<void>, () => void] {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let begun!: () => void;
  const sending = new Promise<void>((resolve) => (begun = resolve));
  const held: MailTransport = {
    async send(mail) {
      begun();
      await released;
      await real.send(mail);
    },
    close: async () => undefined,
  };
  return [held, sending, release];
}

/** A loopback port nobody listens on: connections to it are refused. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A worker that delivers only when drained or kicked: its poll is a minute away. */
const workerOn = (db: Database, transport: MailTransport, clock = () => new Date()): OutboxWorker =>
  createOutboxWorker({ db, transport, clock, logger: createLogger('silent'), pollMs: 60_000 });

/**
 * A real failure inside the database: statements that mark a message sent raise, the first
 * one only or every one. The tries are counted in a sequence, which a rollback does not undo.
 */
async function failingToRecord(db: Database, when: 'once' | 'always') {
  await db.exec(`
    CREATE SEQUENCE outbox_hiccups;
    CREATE FUNCTION outbox_hiccup() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
      tries bigint := nextval('outbox_hiccups');
    BEGIN
      IF tries = 1 OR ${when === 'always'} THEN RAISE EXCEPTION 'the database failed for a moment'; END IF;
      RETURN NEW;
    END $$;
    CREATE TRIGGER outbox_hiccup BEFORE UPDATE ON outbox FOR EACH ROW WHEN (OLD.sent_at IS NULL AND NEW.sent_at IS NOT NULL) EXECUTE FUNCTION outbox_hiccup();`);
  return {
    async count(): Promise<number> {
      const [row] = await db.query<{ tries: number }>('SELECT CASE WHEN is_called THEN last_value ELSE 0 END::int AS tries FROM outbox_hiccups');
      return row!.tries;
    },
    remove: () => db.exec('DROP TRIGGER outbox_hiccup ON outbox; DROP FUNCTION outbox_hiccup(); DROP SEQUENCE outbox_hiccups;'),
  };
}

const isClaim = (sql: string) => sql.trimStart().startsWith('UPDATE outbox SET available_at = $2, attempts');
/** The worker claims up to three at a time; fewer means it found all that was due, and its pass ends. */
const CLAIM_LIMIT = 3;

for (const backend of backends()) {
  describe(`outbox worker on ${backend.name}`, () => {
    let db: Database;
    let dispose: () => Promise<void>;
    let catcher: MailCatcher;
    let transport: MailTransport;
    /** Runs once, right after a claim that comes back short (the last of a pass). */
    let afterLastClaim: (() => Promise<void>) | undefined;
    /** Claims made through `watched`. */
    let claims = 0;
    let worker: OutboxWorker;

    before(async () => {
      ({ db, dispose } = await backend.open());
      await migrate(db);
      catcher = await startMailCatcher();
      transport = createSmtpTransport(catcher.url, 'clave@iess.example');
      // The database as the worker sees it: a person's request can commit and kick the
      // worker between the pass's last claim and the end of that pass.
      const watched: Database = {
        ...db,
        async query<Row>(sql: string, params?: readonly unknown[]) {
          const rows = await db.query<Row>(sql, params);
          if (isClaim(sql)) claims++;
          const hook = afterLastClaim;
          if (isClaim(sql) && rows.length < CLAIM_LIMIT && hook) {
            afterLastClaim = undefined;
            await hook();
          }
          return rows;
        },
      };
      // Only kicks and drains may deliver within the test.
      worker = workerOn(watched, transport);
      worker.start();
    });
    after(async () => {
      await worker.stop();
      await transport.close();
      await catcher.close();
      await dispose();
    });

    test('a message queued and kicked as a pass ends is sent by one more pass, not at the next poll', async () => {
      await queue(db, 'primero@correo.example');
      afterLastClaim = async () => {
        await queue(db, 'tarde@correo.example');
        worker.kick();
      };
      const attempted = await worker.drain();
      assert.equal(afterLastClaim, undefined, 'the late message was queued during the pass');
      assert.equal(attempted, 2, 'the same drain went on to the late message');
      const late = catcher.list().find((mail) => mail.to.includes('tarde@correo.example'));
      assert.ok(late, 'delivered before drain() resolved, without waiting a minute for the poll');
      const [{ unsent }] = (await db.query<{ unsent: number }>('SELECT count(*)::int AS unsent FROM outbox WHERE sent_at IS NULL AND given_up_at IS NULL')) as [{ unsent: number }];
      assert.equal(unsent, 0);
    });

    test('drain() called during a pass resolves only after a pass that began after the call', async () => {
      await queue(db, 'otro@correo.example');
      let duringPass: Promise<number> | undefined;
      afterLastClaim = async () => {
        await queue(db, 'durante@correo.example');
        duringPass = worker.drain();
      };
      await worker.drain();
      assert.ok(duringPass, 'drain() was called while the pass was running');
      await duringPass;
      assert.ok(catcher.list().some((mail) => mail.to.includes('durante@correo.example')), 'what was queued before that call has been sent');
    });

    test('a call in the last microtasks of a pass, whenever it lands, still gets a pass after it', async () => {
      // The pass ends a few promise steps after its last claim comes back short; a call in
      // between must not join a pass that will not look again.
      for (let depth = 0; depth <= 16; depth++) {
        const recipient = `paso${depth}@correo.example`;
        await queue(db, 'antes@correo.example');
        let late: Promise<number> | undefined;
        afterLastClaim = async () => {
          await queue(db, recipient);
          let steps: Promise<unknown> = Promise.resolve();
          for (let step = 0; step < depth; step++) steps = steps.then(() => undefined);
          void steps.then(() => {
            late = worker.drain();
          });
        };
        await worker.drain();
        await new Promise((resolve) => setImmediate(resolve));
        assert.ok(late, `drain() was called ${depth} steps after the last claim`);
        await late;
        assert.ok(catcher.list().some((mail) => mail.to.includes(recipient)), `sent before the drain() called ${depth} steps after the last claim resolved`);
      }
    });

    test('a claim that comes back short ends the pass: one message costs one claim, not a second that finds nothing', async () => {
      await queue(db, 'solo@correo.example');
      const before = claims;
      assert.equal(await worker.drain(), 1);
      assert.equal(claims - before, 1);
      assert.ok(catcher.list().some((mail) => mail.to.includes('solo@correo.example')));
    });

    test('mail a delivery brings forward from its back-off is sent in the same pass', async () => {
      // It failed earlier while the server was away: its next try is ten minutes off.
      await queue(db, 'esperando@correo.example');
      await db.query("UPDATE outbox SET last_error = 'ECONNREFUSED', attempts = 3, available_at = now() + interval '10 minutes' WHERE recipient = 'esperando@correo.example'");
      await queue(db, 'nuevo@correo.example');
      assert.equal(await worker.drain(), 2, 'the new message and the one it brought forward');
      for (const to of ['nuevo@correo.example', 'esperando@correo.example']) assert.ok(catcher.list().some((mail) => mail.to.includes(to)), `${to} delivered`);
      const [{ unsent }] = (await db.query<{ unsent: number }>('SELECT count(*)::int AS unsent FROM outbox WHERE sent_at IS NULL AND given_up_at IS NULL')) as [{ unsent: number }];
      assert.equal(unsent, 0);
    });

    test('a message one worker is still sending is not brought forward by another worker\'s delivery, nor sent twice', async () => {
      // It failed once before (last_error set), so it is due again and then claimed by the first worker.
      await queue(db, 'lento@correo.example');
      await db.query("UPDATE outbox SET last_error = 'ECONNREFUSED' WHERE recipient = 'lento@correo.example'");
      // The first worker's send takes as long as the test wants.
      const [slow, started, release] = heldAtTheDoor(transport);
      const first = workerOn(db, slow);
      const second = workerOn(db, transport);
      const firstPass = first.drain();
      await started;
      await queue(db, 'rapido@correo.example');
      await second.drain();
      release();
      await firstPass;
      const copies = (to: string) => catcher.list().filter((mail) => mail.to.includes(to)).length;
      assert.equal(copies('rapido@correo.example'), 1, 'the second worker delivered its own message');
      assert.equal(copies('lento@correo.example'), 1, 'the message in flight went out once, by the worker that claimed it');
    });

    test('a delivery the database fails to record once is recorded on a second try, not sent again when its claim runs out', async () => {
      await queue(db, 'hipo@correo.example');
      const hiccups = await failingToRecord(db, 'once');
      try {
        await worker.drain();
        const [row] = await db.query<{ sent_at: Date | null }>("SELECT sent_at FROM outbox WHERE recipient = 'hipo@correo.example'");
        assert.equal(await hiccups.count(), 2, 'the first record failed, the second ran');
        assert.ok(row!.sent_at, 'recorded as sent');
        // Another worker, a minute past the claim's lease: nothing is left to send.
        await workerOn(db, transport, () => new Date(Date.now() + 61_000)).drain();
        assert.equal(catcher.list().filter((mail) => mail.to.includes('hipo@correo.example')).length, 1, 'delivered once');
      } finally {
        await hiccups.remove();
      }
    });

    test('stop() cuts short the retries of a delivery the database keeps failing to record', async () => {
      await queue(db, 'parada@correo.example');
      const hiccups = await failingToRecord(db, 'always');
      const stopping = workerOn(db, transport);
      try {
        const pass = stopping.drain();
        while ((await hiccups.count()) === 0) await new Promise((resolve) => setTimeout(resolve, 5));
        const seen = await hiccups.count();
        assert.ok(seen < 4, 'stopped before the last of the four tries');
        await stopping.stop();
        await pass;
        const tries = await hiccups.count();
        assert.ok(tries <= seen + 1, `at most one last try once stopped, not the rest of the schedule (${seen} tries before stop(), ${tries} after)`);
      } finally {
        await hiccups.remove();
        // Delivered but never recorded: left claimed, it would go out again a minute later.
        await db.query("UPDATE outbox SET sent_at = now() WHERE recipient = 'parada@correo.example'");
      }
    });

    test('a send that fails after its claim ran out leaves alone the message another worker now holds', async () => {
      await queue(db, 'vencido@correo.example');
      const refusing = createSmtpTransport(`smtp://127.0.0.1:${await closedPort()}`, 'clave@iess.example');
      const [first, firstSending, releaseFirst] = heldAtTheDoor(refusing);
      const [second, secondSending, releaseSecond] = heldAtTheDoor(transport);
      const early = workerOn(db, first);
      // Its clock is past the first claim's one-minute lease.
      const late = workerOn(db, second, () => new Date(Date.now() + 61_000));
      const earlyPass = early.drain();
      await firstSending;
      const latePass = late.drain();
      await secondSending;
      releaseFirst();
      await earlyPass;
      const row = async () =>
        (await db.query<{ attempts: number; last_error: string | null; sent_at: Date | null }>('SELECT attempts, last_error, sent_at FROM outbox WHERE recipient = $1', ['vencido@correo.example']))[0]!;
      const meanwhile = await row();
      assert.equal(meanwhile.attempts, 2, 'the second worker holds it');
      assert.equal(meanwhile.last_error, null, "the first worker's refused connection did not reschedule it under the second one's claim");
      releaseSecond();
      await latePass;
      assert.ok((await row()).sent_at, 'the second worker delivered it and marked it sent');
      assert.equal(catcher.list().filter((mail) => mail.to.includes('vencido@correo.example')).length, 1);
      await refusing.close();
    });
  });
}
