import type { RecoveryContext } from './context.ts';
import { JourneyError } from './journey-error.ts';

/** Spends one unit of a traffic throttle; CLV-004 (with how long to wait) when it is used up. */
export async function throttled(ctx: RecoveryContext, bucket: string, key: string | undefined): Promise<void> {
  const result = await ctx.throttle.consume(bucket, key ?? 'unknown');
  if (!result.allowed) throw new JourneyError('CLV-004', { retryAfterSeconds: result.retryAfterSeconds });
}
