import { createHmac } from 'node:crypto';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Redis } from 'ioredis';
import type { Throttle } from '../services/recovery-ports.ts';
import { throttledAddress } from './ip-prefix.ts';

export interface ThrottleRule {
  points: number;
  durationSeconds: number;
}

export interface ThrottleOptions {
  /** Shared by the instances: counts kept in Redis. Without it, each process counts alone. */
  redis?: Redis | undefined;
  /** Keys are stored as an HMAC under it: Redis never holds a cédula, an address or an IP. */
  keySecret: string;
  /** IPv6 clients are counted per network of this many bits (THROTTLE_IPV6_PREFIX). */
  ipv6PrefixBits: number;
}

/**
 * Traffic throttles with rate-limiter-flexible: in-process by default, in Redis when
 * REDIS_URL is set so every instance shares the counts. Security state never lives here.
 */
export function createThrottle(rules: Record<string, ThrottleRule>, { redis, keySecret, ipv6PrefixBits }: ThrottleOptions): Throttle {
  // Labelled, so a throttle key can never equal another HMAC of the same secret (cedulaRef's are 'cedula:…').
  const storedKey = (key: string) => createHmac('sha256', keySecret).update(`throttle:${throttledAddress(key, ipv6PrefixBits)}`).digest('base64url').slice(0, 22);
  const limiters = new Map<string, RateLimiterAbstract>(
    Object.entries(rules).map(([bucket, rule]) => [
      bucket,
      redis
        ? new RateLimiterRedis({
            storeClient: redis,
            keyPrefix: `clave:${bucket}`,
            points: rule.points,
            duration: rule.durationSeconds,
            // When Redis is unreachable each instance keeps counting on its own rather than failing requests.
            insuranceLimiter: new RateLimiterMemory({ keyPrefix: bucket, points: rule.points, duration: rule.durationSeconds }),
          })
        : new RateLimiterMemory({ keyPrefix: bucket, points: rule.points, duration: rule.durationSeconds }),
    ]),
  );
  return {
    async consume(bucket, key) {
      const limiter = limiters.get(bucket);
      if (!limiter) return { allowed: true, retryAfterSeconds: 0 };
      try {
        await limiter.consume(storedKey(key));
        return { allowed: true, retryAfterSeconds: 0 };
      } catch (refusal) {
        if (refusal instanceof RateLimiterRes) return { allowed: false, retryAfterSeconds: Math.ceil(refusal.msBeforeNext / 1000) };
        throw refusal;
      }
    },
    async refund(bucket, key) {
      const limiter = limiters.get(bucket);
      const stored = storedKey(key);
      // Only a unit still spent in the current window: a refund after it ended would open
      // the next one a unit below zero, one more than the limit allows.
      const spent = await limiter?.get(stored);
      if (spent && spent.consumedPoints > 0) await limiter!.reward(stored);
    },
  };
}
