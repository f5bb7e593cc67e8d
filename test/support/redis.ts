import { Redis } from 'ioredis';

/** The machine's Redis when TEST_REDIS_URL is set; under CI it is required, never skipped. */
export function redisUrl(): string | undefined {
  const url = process.env.TEST_REDIS_URL;
  if (!url && process.env.CI === 'true') throw new Error('CI=true but TEST_REDIS_URL is not set: the Redis throttle tests are required');
  return url;
}

export function connectRedis(url: string): Redis {
  return new Redis(url, { maxRetriesPerRequest: 1 });
}
