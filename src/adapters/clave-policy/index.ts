import { Worker } from 'node:worker_threads';
import { checkPassword } from '../../domain/password-policy.ts';
import { Overloaded } from '../../services/ports.ts';
import type { ClavePolicy } from '../../services/journey-ports.ts';
import type { PolicyReady, PolicyReply, PolicyRequest } from './messages.ts';
import { IdleWaiters, RestartBackoff } from './pacing.ts';

export interface ClavePolicyRunner extends ClavePolicy {
  /**
   * Starts the threads now instead of at the first check, so that no person waits for the
   * dictionaries to load (0.3–1.5 s). A server calls it once it listens.
   */
  start(): void;
  /** Threads that have loaded their dictionaries and take checks at once. */
  readonly readyThreads: number;
  close(): Promise<void>;
}

/**
 * No thread could check the clave: one took too long or died, or new ones are held back
 * after a death. The person did nothing wrong and a retry shortly may pass, so it is an
 * Overloaded (CLV-090, 503 with Retry-After), like a full argon2id queue: not a 500, which
 * says "bug", nor StorageUnavailable, which would be logged as a database outage.
 */
export class ClavePolicyUnavailable extends Overloaded {
  constructor(reason: string, retryAfterSeconds?: number) {
    super('clave policy', retryAfterSeconds);
    this.name = 'ClavePolicyUnavailable';
    this.message = `clave policy unavailable: ${reason}`;
  }
}

/** The live meter's checks may wait for an idle thread this many at a time (1/n of the queue limit)… */
const ADVICE_SHARE = 10;
/** …and this long: past it the meter shows nothing, which costs nobody anything. */
const ADVICE_WAIT_MS = 1_000;

/**
 * How long a new thread may take to load the dictionaries before it is taken for broken
 * (a bad deploy, a missing file): well above the 0.3–1.5 s it takes, even on a busy machine.
 */
const THREAD_START_TIMEOUT_MS = 15_000;

interface Pending {
  resolve: (reply: PolicyReply) => void;
  reject: (error: Error) => void;
}

interface ThreadOptions {
  entry: URL;
  timeoutMs: number;
  startTimeoutMs: number;
  onAnswer: () => void;
  onDeath: () => void;
}

/** One worker thread and the checks it has not answered yet; a dead worker fails them. */
class PolicyThread {
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private deadline: NodeJS.Timeout | undefined;
  private loaded = false;
  dead = false;

  constructor(private readonly options: ThreadOptions) {
    // No inherited flags: the entry registers the TypeScript loader itself.
    this.worker = new Worker(options.entry, { execArgv: [] });
    this.worker.on('message', (message: PolicyReply | PolicyReady) => ('ready' in message ? this.started() : this.answer(message)));
    this.worker.on('error', (error) => this.fail(`thread failed: ${error.message}`));
    this.worker.on('exit', (code) => this.fail(`thread stopped (exit code ${code})`));
    // An idle thread does not keep the process alive (a check in flight has its deadline
    // timer). After the listeners: adding a 'message' listener refs the thread again.
    this.worker.unref();
    this.startDeadline(options.startTimeoutMs, `not ready within ${options.startTimeoutMs} ms`);
  }

  /** Its dictionaries are loaded: a check starts at once. */
  get ready(): boolean {
    return this.loaded;
  }

  get load(): number {
    return this.pending.size;
  }

  run(request: PolicyRequest): Promise<PolicyReply> {
    return new Promise((resolve, reject) => {
      this.pending.set(request.id, { resolve, reject });
      this.worker.postMessage(request);
      if (this.loaded && this.pending.size === 1) this.startCheckDeadline();
    });
  }

  async stop(): Promise<void> {
    await this.worker.terminate();
  }

  private started(): void {
    this.loaded = true;
    clearTimeout(this.deadline);
    if (this.pending.size > 0) this.startCheckDeadline();
  }

  private answer(reply: PolicyReply): void {
    this.pending.get(reply.id)?.resolve(reply);
    this.pending.delete(reply.id);
    this.options.onAnswer();
    clearTimeout(this.deadline);
    if (this.pending.size > 0) this.startCheckDeadline();
  }

  /**
   * The thread answers in order, so only its oldest check is running: that one has
   * timeoutMs, from when the thread is ready. Checks merely queued behind it do not count,
   * so a busy but healthy thread is not killed.
   */
  private startCheckDeadline(): void {
    this.startDeadline(this.options.timeoutMs, `no answer within ${this.options.timeoutMs} ms`);
  }

  private startDeadline(ms: number, reason: string): void {
    this.deadline = setTimeout(() => {
      this.fail(reason);
      // Stop the thread, not just the wait: a stuck zxcvbn would go on burning a core.
      void this.worker.terminate();
    }, ms);
  }

  private fail(reason: string): void {
    if (this.dead) return;
    this.dead = true;
    clearTimeout(this.deadline);
    const error = new ClavePolicyUnavailable(reason);
    for (const { reject } of this.pending.values()) reject(error);
    this.pending.clear();
    this.options.onDeath();
  }
}

export interface ClavePolicyOptions {
  /** PASSWORD_CHECK_WORKERS; 0 checks on the event loop, where no deadline can apply. */
  workers: number;
  /** PASSWORD_CHECK_TIMEOUT_MS: how long a thread may take over one check before it is stopped. */
  timeoutMs: number;
  /**
   * PASSWORD_CHECK_QUEUE_LIMIT: checks a thread may hold; past it a clave being saved gets
   * CLV-090 at once instead of waiting behind a flood. The live meter's checks never queue
   * on a thread: each waits (at most ADVICE_WAIT_MS, a tenth of this many at a time) for
   * an idle one, so a save waits behind at most one of them per thread.
   */
  queueLimit: number;
  /** The thread's module; another one lets a test make a thread hang or fail to start. */
  workerEntry?: URL;
  /** How long a thread may take to get ready; default THREAD_START_TIMEOUT_MS. */
  startTimeoutMs?: number;
}

/**
 * The clave policy on `workers` threads, each check to the least busy one. A thread that
 * dies or overruns its deadline fails the checks it held and is replaced at a later check,
 * after the restart back-off; meanwhile checks go to the other threads or fail at once.
 */
export function createClavePolicy({ workers, timeoutMs, queueLimit, workerEntry = new URL('./worker-entry.mjs', import.meta.url), startTimeoutMs = THREAD_START_TIMEOUT_MS }: ClavePolicyOptions): ClavePolicyRunner {
  if (workers === 0) {
    return {
      async check(password, confirmation, personal, settings, use) {
        // On the event loop every check delays every request: the meter's are not worth that.
        if (use?.advice) throw new ClavePolicyUnavailable('no check threads for the live meter (PASSWORD_CHECK_WORKERS=0)', 60);
        return checkPassword(password, confirmation, personal, settings);
      },
      start: () => undefined,
      readyThreads: 0,
      close: async () => undefined,
    };
  }
  const threads: PolicyThread[] = [];
  const backoff = new RestartBackoff();
  const adviceWaiting = new IdleWaiters(Math.max(1, Math.floor(queueLimit / ADVICE_SHARE)));
  const threadOptions: ThreadOptions = {
    entry: workerEntry,
    timeoutMs,
    startTimeoutMs,
    onAnswer: () => {
      backoff.answered();
      adviceWaiting.wake();
    },
    onDeath: () => backoff.died(),
  };
  const startMissingThreads = () => {
    for (let i = 0; i < threads.length; i++) if (threads[i]!.dead) threads.splice(i--, 1);
    while (threads.length < workers && !backoff.holding) threads.push(new PolicyThread(threadOptions));
  };
  // Unless start() is called, threads start with the first check: a CLI command or a test
  // app that never checks a clave does not pay for the dictionaries.
  let nextId = 0;
  // A ready thread answers in milliseconds; one still starting only after its dictionaries
  // load, however little it holds. So the least busy of the ready ones, if any is.
  const sooner = (a: PolicyThread, b: PolicyThread) => (a.ready === b.ready ? a.load < b.load : a.ready);
  const leastBusy = (): PolicyThread => {
    startMissingThreads();
    if (threads.length === 0) throw new ClavePolicyUnavailable('waiting to restart after a thread failed', backoff.secondsLeft);
    return threads.reduce((best, thread) => (sooner(thread, best) ? thread : best));
  };
  /** A ready thread with nothing to do, waited for while ADVICE_WAIT_MS allows. */
  const idleThread = async (): Promise<PolicyThread> => {
    const deadline = Date.now() + ADVICE_WAIT_MS;
    for (;;) {
      const thread = leastBusy();
      if (thread.ready && thread.load === 0) return thread;
      if (!(await adviceWaiting.until(deadline))) throw new ClavePolicyUnavailable('every check thread is busy', 1);
    }
  };
  return {
    start: startMissingThreads,
    get readyThreads() {
      return threads.filter((thread) => thread.ready && !thread.dead).length;
    },
    async check(password, confirmation, personal, settings, use) {
      const thread = use?.advice ? await idleThread() : leastBusy();
      if (thread.load >= queueLimit) throw new ClavePolicyUnavailable(`${thread.load} checks already waiting`, 1);
      const reply = await thread.run({ id: nextId++, password, confirmation, personal, settings });
      if ('error' in reply) throw new Error(`clave policy check failed: ${reply.error}`);
      return reply.check;
    },
    async close() {
      await Promise.all(threads.splice(0).map((thread) => thread.stop()));
    },
  };
}
