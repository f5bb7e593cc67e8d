import { nextLayout, settingsKey } from '../../domain/dummy-layout.ts';
import type { RecoveryContext } from '../recovery/context.ts';
import type { DummyLayoutStore } from './login-ports.ts';

/**
 * Brings this instance's dummy verifications up to date with the claves stored (domain/
 * dummy-layout.ts). The stored layout is used at once, whatever its age: a count that then
 * fails leaves the instance on it, not on today's settings alone. Counting reads every
 * account, so only when no instance has counted within `freshForMs` does this one.
 */
export async function refreshDummyLayout(ctx: RecoveryContext, layouts: DummyLayoutStore, freshForMs: number): Promise<void> {
  const stored = await layouts.read(freshForMs);
  if (stored) await ctx.hasher.useDummyLayout(stored.layout);
  if (stored?.fresh) return;
  const today = settingsKey({ memoryKib: ctx.limits.argon2MemoryKib, iterations: ctx.limits.argon2Iterations, parallelism: ctx.limits.argon2Parallelism });
  await ctx.hasher.useDummyLayout(await layouts.recount(freshForMs, (previous, mix) => nextLayout(previous, mix, today)));
}
