/** After a failure, the next run comes this soon, doubling up to the usual interval. */
const RETRY_FIRST_MS = 5_000;

export interface Periodic {
  /** Ends the schedule and waits for a run under way. */
  stop(): Promise<void>;
}

/**
 * Runs `job` now, then every `everyMs`, one run at a time; after a failure (false), again
 * in `retryFirstMs`, doubling up to `everyMs`. Resolves once the first run has ended.
 */
export async function periodically(everyMs: number, job: () => Promise<boolean>, retryFirstMs = RETRY_FIRST_MS): Promise<Periodic> {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let stopped = false;
  let retryMs = retryFirstMs;
  const run = (): Promise<void> =>
    (running = job().then((done) => {
      running = undefined;
      if (stopped) return;
      timer = setTimeout(run, done ? everyMs : Math.min(everyMs, retryMs));
      timer.unref();
      retryMs = done ? retryFirstMs : Math.min(everyMs, 2 * retryMs);
    }));
  await run();
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
