import { Worker } from 'node:worker_threads';
import { checkPassword } from '../../domain/password-policy.ts';
import type { ClavePolicy } from '../../services/recovery-ports.ts';
import type { PolicyReply, PolicyRequest } from './messages.ts';

export interface ClavePolicyRunner extends ClavePolicy {
  close(): Promise<void>;
}

interface Pending {
  resolve: (reply: PolicyReply) => void;
  reject: (error: Error) => void;
}

/** One worker thread and the checks it has not answered yet; a dead worker fails them. */
class PolicyThread {
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  dead = false;

  constructor() {
    // No inherited flags: the entry registers the TypeScript loader itself.
    this.worker = new Worker(new URL('./worker-entry.mjs', import.meta.url), { execArgv: [] });
    this.worker.unref();
    this.worker.on('message', (reply: PolicyReply) => {
      this.pending.get(reply.id)?.resolve(reply);
      this.pending.delete(reply.id);
    });
    this.worker.on('error', (error) => this.fail(error));
    this.worker.on('exit', (code) => this.fail(new Error(`clave policy worker stopped (exit code ${code})`)));
  }

  get load(): number {
    return this.pending.size;
  }

  run(request: PolicyRequest): Promise<PolicyReply> {
    return new Promise((resolve, reject) => {
      this.pending.set(request.id, { resolve, reject });
      this.worker.postMessage(request);
    });
  }

  async stop(): Promise<void> {
    await this.worker.terminate();
  }

  private fail(error: Error): void {
    this.dead = true;
    for (const { reject } of this.pending.values()) reject(error);
    this.pending.clear();
  }
}

/**
 * The clave policy on `workers` threads (PASSWORD_CHECK_WORKERS), each check to the least
 * busy one, a thread that dies replaced at the next check; with 0, on the event loop.
 */
export function createClavePolicy({ workers }: { workers: number }): ClavePolicyRunner {
  if (workers === 0) {
    return { check: async (...args) => checkPassword(...args), close: async () => undefined };
  }
  const threads: PolicyThread[] = [];
  const startMissingThreads = () => {
    for (let i = 0; i < threads.length; i++) if (threads[i]!.dead) threads.splice(i--, 1);
    while (threads.length < workers) threads.push(new PolicyThread());
  };
  // Threads start with the first check (~0.3 s once): most processes never check a clave.
  let nextId = 0;
  const leastBusy = (): PolicyThread => {
    startMissingThreads();
    return threads.reduce((best, thread) => (thread.load < best.load ? thread : best));
  };
  return {
    async check(password, confirmation, personal, settings) {
      const reply = await leastBusy().run({ id: nextId++, password, confirmation, personal, settings });
      if ('error' in reply) throw new Error(`clave policy check failed: ${reply.error}`);
      return reply.check;
    },
    async close() {
      await Promise.all(threads.splice(0).map((thread) => thread.stop()));
    },
  };
}
