import { createHmac } from 'node:crypto';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Redis } from 'ioredis';
import type { Throttle } from '../services/journey-ports.ts';
import { throttledAddress } from '../domain/client-address.ts';

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

interface Bucket {
  limiter: RateLimiterAbstract;
  /**
   * Gives back a unit only if one is spent in the current window: a reward() after the
   * window ended would open the next one at -1, one unit beyond the limit. How each store
   * keeps the check and the change together is said where it is done.
   */
  refund(storedKey: string): Promise<void>;
}

/**
 * Traffic throttles with rate-limiter-flexible: in-process by default, in Redis when
 * REDIS_URL is set so every instance shares the counts. Security state never lives here.
 */
export function createThrottle(rules: Record<string, ThrottleRule>, { redis, keySecret, ipv6PrefixBits }: ThrottleOptions): Throttle {
  // Labelled, so a throttle key can never equal another HMAC of the same secret (cedulaRef's are 'cedula:…').
  const storedKey = (key: string) => createHmac('sha256', keySecret).update(`throttle:${throttledAddress(key, ipv6PrefixBits)}`).digest('base64url').slice(0, 22);
  const buckets = new Map<string, Bucket>(
    Object.entries(rules).map(([bucket, rule]) => [bucket, redis ? redisBucket(bucket, rule, redis) : memoryBucket(bucket, rule)]),
  );
  return {
    async consume(bucket, key) {
      const limiter = buckets.get(bucket)?.limiter;
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
      await buckets.get(bucket)?.refund(storedKey(key));
    },
  };
}

function memoryBucket(bucket: string, rule: ThrottleRule): Bucket {
  const limiter = memoryLimiter(bucket, rule);
  return { limiter, refund: memoryRefund(limiter) };
}

function redisBucket(bucket: string, rule: ThrottleRule, redis: Redis): Bucket {
  // When Redis is unreachable each instance keeps counting on its own rather than failing requests.
  const insurance = memoryLimiter(bucket, rule);
  const refundInsurance = memoryRefund(insurance);
  const limiter = new RateLimiterRedis({ storeClient: redis, keyPrefix: `clave:${bucket}`, points: rule.points, duration: rule.durationSeconds, insuranceLimiter: insurance });
  return {
    limiter,
    async refund(storedKey) {
      try {
        await redis.eval(REFUND_SCRIPT, 1, limiter.getKey(storedKey));
      } catch {
        // Redis away: consume() falls back to the instance's own count on any Redis error, so the
        // unit was most likely spent there. A refund never fails the request it serves.
        await refundInsurance(storedKey);
      }
    },
  };
}

function memoryLimiter(bucket: string, rule: ThrottleRule): RateLimiterMemory {
  return new RateLimiterMemory({ keyPrefix: bucket, points: rule.points, duration: rule.durationSeconds });
}

/**
 * RateLimiterRedis keeps a window's count as an integer (INCRBY) under getKey(key), expiring
 * with the window. Redis runs the script as one step; DECR keeps the key's expiry. A missing
 * key is an ended window, and stays missing.
 */
const REFUND_SCRIPT = `
local spent = tonumber(redis.call('get', KEYS[1]))
if spent and spent > 0 then redis.call('decr', KEYS[1]) end
`;

/**
 * A window this close to its end gets no refund in process. RateLimiterMemory has no public
 * check-and-change: between get() and reward() only other promise callbacks run, never a
 * timer, but the clock moves on, and a reward() that lands after the window's end opens the
 * next one at -1. A refund lost in a window's last second leaves the cédula one start
 * short for that second only.
 */
const MEMORY_REFUND_MARGIN_MS = 1000;

function memoryRefund(limiter: RateLimiterMemory): (storedKey: string) => Promise<void> {
  // One at a time: two refunds of one spent unit, each checked before the other's change,
  // would both give it back and open the window below zero.
  let queue: Promise<void> = Promise.resolve();
  return (storedKey) => {
    const refunded = queue.then(async () => {
      const spent = await limiter.get(storedKey);
      if (spent && spent.consumedPoints > 0 && spent.msBeforeNext > MEMORY_REFUND_MARGIN_MS) await limiter.reward(storedKey);
    });
    queue = refunded.catch(() => undefined);
    return refunded;
  };
}
