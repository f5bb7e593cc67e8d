import { nextLayout, settingsKey } from '../../domain/dummy-layout.ts';
import type { RecoveryContext } from '../recovery/context.ts';
import type { DummyLayoutStore, LoginStore } from './login-ports.ts';

/**
 * Brings this instance's dummy verifications up to date with the claves stored (domain/
 * dummy-layout.ts). Counting reads every account, so a layout another instance counted
 * less than `freshForMs` ago is used as it is.
 */
export async function refreshDummyLayout(ctx: RecoveryContext, logins: LoginStore, layouts: DummyLayoutStore, freshForMs: number): Promise<void> {
  const now = ctx.clock();
  const stored = await layouts.read();
  if (stored && now.getTime() - stored.countedAt.getTime() < freshForMs) {
    await ctx.hasher.useDummyLayout(stored);
    return;
  }
  const today = settingsKey({ memoryKib: ctx.limits.argon2MemoryKib, iterations: ctx.limits.argon2Iterations, parallelism: ctx.limits.argon2Parallelism });
  const mix = await logins.hashSettingsMix();
  await ctx.hasher.useDummyLayout(await layouts.replace((previous) => nextLayout(previous, mix, today), now));
}
