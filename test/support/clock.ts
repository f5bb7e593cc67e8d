/** The one fake the tests allow: a clock that moves only when told to. */
export function testClock(start = Date.now()) {
  let now = start;
  return {
    now: () => new Date(now),
    advance(ms: number) {
      now += ms;
    },
  };
}

export const MINUTE = 60_000;

const ecuadorClock = new Intl.DateTimeFormat('es-EC', { timeZone: 'America/Guayaquil', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });

/**
 * The "a partir de las HH:MM" a page may show for a Retry-After of `seconds` given between
 * `asked` and now: the wait rounded up to the minute, which may turn while the test runs.
 */
export function retryTimes(asked: number, seconds: number): string[] {
  const at = (start: number) => ecuadorClock.format(new Date(Math.ceil((start + seconds * 1000) / MINUTE) * MINUTE));
  return [...new Set([at(asked), at(Date.now())])];
}
