// How the check threads are paced: restarts after deaths, and the live meter's wait for an idle thread.

const FIRST_RESTART_DELAY_MS = 1_000;
const MAX_RESTART_DELAY_MS = 30_000;

/**
 * After a thread dies no new one starts for 1 s, doubling to 30 s while they keep dying, so
 * a thread that cannot start is not started again on every check. An answer resets it.
 */
export class RestartBackoff {
  private delayMs = 0;
  private notBefore = 0;

  get holding(): boolean {
    return Date.now() < this.notBefore;
  }

  /** Whole seconds until a new thread may start (at least 1). */
  get secondsLeft(): number {
    return Math.max(1, Math.ceil((this.notBefore - Date.now()) / 1000));
  }

  died(): void {
    // Threads that die together (or while held back) are one failure, not several doublings.
    if (this.holding) return;
    this.delayMs = Math.min(this.delayMs * 2 || FIRST_RESTART_DELAY_MS, MAX_RESTART_DELAY_MS);
    this.notBefore = Date.now() + this.delayMs;
  }

  answered(): void {
    this.delayMs = 0;
  }
}

/**
 * Live-meter checks waiting for a thread to answer something (and so, perhaps, be idle):
 * at most `room` of them, each until its deadline.
 */
export class IdleWaiters {
  private readonly waiting = new Set<() => void>();

  constructor(private readonly room: number) {}

  /** True at the next answer (or the deadline); false at once past the deadline or without room. */
  until(deadline: number): Promise<boolean> {
    const left = deadline - Date.now();
    if (left <= 0 || this.waiting.size >= this.room) return Promise.resolve(false);
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.waiting.delete(done);
        resolve(true);
      };
      const timer = setTimeout(done, left);
      timer.unref();
      this.waiting.add(done);
    });
  }

  wake(): void {
    for (const done of [...this.waiting]) done();
  }
}
