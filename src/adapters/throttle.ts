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

interface Bucket {
  limiter: RateLimiterAbstract;
  /**
   * Gives back a unit only if one is spent in the current window, checked in the same step
   * as the change: checked first and changed later, the window can end in between, and the
   * limiter's reward() would then open the next window at -1, one unit beyond the limit.
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
  const refund = memoryRefund(limiter);
  return { limiter, refund: async (storedKey) => refund(storedKey) };
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
        refundInsurance(storedKey);
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

type MemoryCounts = Map<string, { value: number; expiresAt: number | null }>;

/**
 * RateLimiterMemory reads and writes through separate promises, so it has no public way to
 * check and change in one step; its count is changed here directly, synchronously: nothing
 * else runs in between, and the clock is read once. A record past `expiresAt` is an ended
 * window whose removal timer has not run yet; the next consume replaces it (MemoryStorage.incrby).
 */
function memoryRefund(limiter: RateLimiterMemory): (storedKey: string) => void {
  const counts = memoryCounts(limiter);
  return (storedKey) => {
    const count = counts.get(limiter.getKey(storedKey));
    if (count && count.value > 0 && (!count.expiresAt || count.expiresAt > Date.now())) count.value -= 1;
  };
}

/**
 * Where RateLimiterMemory keeps its counts: rate-limiter-flexible 11's MemoryStorage, not
 * public API. Looked up when the throttle is built, so a library that moved them stops the
 * start-up rather than a request.
 */
function memoryCounts(limiter: RateLimiterMemory): MemoryCounts {
  const counts = (limiter as unknown as { _memoryStorage?: { _storage?: unknown } })._memoryStorage?._storage;
  if (!(counts instanceof Map)) throw new Error('rate-limiter-flexible no longer keeps RateLimiterMemory counts in _memoryStorage._storage: review memoryRefund');
  return counts as MemoryCounts;
}
