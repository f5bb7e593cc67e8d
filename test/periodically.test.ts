import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { periodically } from '../src/periodically.ts';

test('a failed run is tried again soon, sooner each time than the usual interval, doubling; a run that succeeds goes back to the interval', async () => {
  const runs: number[] = [];
  const outcomes = [false, false, false, true, true];
  const started = Date.now();
  const schedule = await periodically(
    1000,
    async () => {
      runs.push(Date.now() - started);
      return outcomes.shift() ?? true;
    },
    50,
  );
  // Expected at 0, 50, 150, 350 and 1350 ms, then 2350: a wide margin either side.
  await sleep(1850);
  await schedule.stop();
  // Now (fails), +50 (fails), +100 (fails), +200 (succeeds), +1000.
  assert.equal(runs.length, 5, `runs at ${runs.join(', ')} ms`);
  const gaps = runs.slice(1).map((at, i) => at - runs[i]!);
  assert.ok(gaps[0]! >= 49 && gaps[1]! >= 99 && gaps[2]! >= 199 && gaps[2]! < gaps[3]!, `gaps ${gaps.join(', ')} ms`);
  assert.ok(gaps[3]! >= 999, `back to the interval after a success: ${gaps[3]} ms`);
});

test('stop waits for a run under way, and nothing runs after it', async () => {
  let runs = 0;
  let finish!: () => void;
  const schedule = await periodically(10, async () => {
    runs++;
    if (runs === 2) await new Promise<void>((resolve) => (finish = resolve));
    return true;
  });
  await sleep(30);
  let stopped = false;
  const stopping = schedule.stop().then(() => (stopped = true));
  await sleep(20);
  assert.equal(stopped, false, 'still waiting for the second run');
  finish();
  await stopping;
  await sleep(40);
  assert.equal(runs, 2);
});
