import { createServer, type Server, type Socket } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { simpleParser } from 'mailparser';
import { freePort } from './process.ts';

export interface Caught {
  messageId: string | undefined;
  to: string[];
  subject: string;
  text: string;
  receivedAt: number;
}

/**
 * Like the built-in catcher, plus what outages need: `down()` cuts every open connection
 * at once, like a mail server that crashed; `up()` comes back on the same port with what
 * was received before still listed; `blackHole()` accepts connections and never answers.
 */
export class OutageCatcher {
  readonly received: Caught[] = [];
  private server: SMTPServer | undefined;
  private hole: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private readonly waiters = new Set<() => void>();

  private constructor(readonly port: number) {}

  static async start(): Promise<OutageCatcher> {
    const catcher = new OutageCatcher(await freePort());
    await catcher.up();
    return catcher;
  }

  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  async up(): Promise<void> {
    await this.closeBlackHole();
    if (this.server) return;
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      closeTimeout: 100,
      onData: (stream, session, callback) => {
        simpleParser(stream).then(
          (parsed) => {
            this.received.push({
              messageId: parsed.messageId,
              to: session.envelope.rcptTo.map((rcpt) => rcpt.address),
              subject: parsed.subject ?? '',
              text: parsed.text ?? '',
              receivedAt: Date.now(),
            });
            for (const wake of this.waiters) wake();
            callback();
          },
          (error: Error) => callback(error),
        );
      },
    });
    server.on('error', () => undefined);
    server.server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      server.server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => {
        server.server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
  }

  /**
   * A mail server that accepts connections and then says nothing: a send hangs (until
   * nodemailer's greeting timeout, 30 s) with its outbox message claimed.
   */
  async blackHole(): Promise<void> {
    await this.down();
    const hole = createServer((socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
      socket.on('error', () => undefined);
    });
    await new Promise<void>((resolve, reject) => {
      hole.once('error', reject);
      hole.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.hole = hole;
  }

  private async closeBlackHole(): Promise<void> {
    const hole = this.hole;
    if (!hole) return;
    this.hole = undefined;
    await this.closeCuttingConnections(hole);
  }

  /** Stops listening and cuts every open connection: nothing can be delivered until `up()`. */
  async down(): Promise<void> {
    await this.closeBlackHole();
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    await this.closeCuttingConnections(server);
  }

  /** Stops a listener and destroys every open connection at once, as a crash would. */
  private async closeCuttingConnections(listener: { close(callback: () => void): unknown }): Promise<void> {
    const closed = new Promise<void>((resolve) => listener.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    await closed;
  }

  /** Resolves with the first message that matches (already received or arriving later), or rejects at the deadline. */
  async waitFor(match: (mail: Caught) => boolean, timeoutMs: number, what: string): Promise<Caught> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.received.find(match);
      if (found) return found;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`${what}: no matching mail within ${timeoutMs} ms (received ${this.received.length})`);
      await new Promise<void>((resolve) => {
        const wake = () => {
          clearTimeout(timer);
          this.waiters.delete(wake);
          resolve();
        };
        const timer = setTimeout(wake, left);
        this.waiters.add(wake);
      });
    }
  }
}
