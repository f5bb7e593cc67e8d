/**
 * Claves are stored as argon2id PHC strings ($argon2id$v=19$m=…,t=…,p=…$salt$hash), so
 * each hash carries its own parameters and old ones keep verifying after a change.
 */
import { randomBytes } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { hash, parseOptions, verify, type Algorithm, type Version } from '@node-rs/argon2';
import { Abandoned, Overloaded } from '../services/ports.ts';
import { argon2Dummies } from './argon2-dummies.ts';
import type { Argon2Cost } from '../domain/dummy-layout.ts';
import type { PasswordHasher } from '../services/journey-ports.ts';

export type { PasswordHasher };

export interface Argon2Settings extends Argon2Cost {
  /** How many hashes or verifications run at once; the rest wait their turn. Default: the cores. */
  concurrency?: number;
  /** How many may wait; past it a request is refused at once (Overloaded). Default: unbounded. */
  queueLimit?: number;
}

// The package declares these as `const enum`s and its runtime object is empty, so
// `Algorithm.Argon2id` would be undefined under tsx/esbuild. Spell the values out.
const ARGON2ID: Algorithm.Argon2id = 2;
const VERSION_0X13: Version.V0x13 = 1;

/**
 * Runs at most `limit` tasks at once, the others in arrival order. More argon2id work in
 * flight than cores only splits the same CPU and evicts each other's 19 MiB from the
 * caches (measured: fewer verifies per second), and holds more memory. A task whose
 * `signal` aborts while it waits leaves the line (Abandoned); once started, it runs.
 */
export function turnstile(limit: number, queueLimit = Number.POSITIVE_INFINITY) {
  let running = 0;
  const waiting: (() => void)[] = [];
  const turn = (signal: AbortSignal | undefined) =>
    new Promise<void>((resolve, reject) => {
      const leave = () => {
        const at = waiting.indexOf(take);
        // Not in line any more means the slot was already handed over: the task runs.
        if (at < 0) return;
        waiting.splice(at, 1);
        reject(new Abandoned('argon2id'));
      };
      const take = () => {
        signal?.removeEventListener('abort', leave);
        resolve();
      };
      waiting.push(take);
      signal?.addEventListener('abort', leave, { once: true });
    });
  return async <T>(task: () => Promise<T>, signal?: AbortSignal): Promise<T> => {
    if (signal?.aborted) throw new Abandoned('argon2id');
    if (running < limit) running++;
    else if (waiting.length >= queueLimit) throw new Overloaded('argon2id');
    else await turn(signal);
    try {
      return await task();
    } finally {
      // The slot passes straight to the next in line, or frees up.
      const next = waiting.shift();
      if (next) next();
      else running--;
    }
  };
}

export function createPasswordHasher(settings: Argon2Settings): PasswordHasher {
  const inTurn = turnstile(settings.concurrency ?? availableParallelism(), settings.queueLimit);
  const options = {
    algorithm: ARGON2ID,
    version: VERSION_0X13,
    memoryCost: settings.memoryKib,
    timeCost: settings.iterations,
    parallelism: settings.parallelism,
  };

  // A random secret nobody knows: a dummy can never verify, only cost the same. Made outside
  // the turnstile, once per settings: a full queue must not keep a layout from being used.
  const dummies = argon2Dummies({ memoryKib: settings.memoryKib, iterations: settings.iterations, parallelism: settings.parallelism }, (cost) =>
    hash(randomBytes(32), { ...options, memoryCost: cost.memoryKib, timeCost: cost.iterations, parallelism: cost.parallelism }),
  );

  const currentPrefix = `$argon2id$v=19$m=${settings.memoryKib},t=${settings.iterations},p=${settings.parallelism}$`;

  async function safeVerify(stored: string, password: string, signal?: AbortSignal): Promise<boolean> {
    try {
      return await inTurn(() => verify(stored, password), signal);
    } catch (error) {
      if (error instanceof Overloaded) throw error;
      // A malformed or truncated hash is a wrong clave, not a server error.
      return false;
    }
  }

  return {
    hash: (password) => inTurn(() => hash(password, options)),
    verify: safeVerify,
    async verifyDummy(password, seed, signal) {
      await safeVerify(await dummies.hashFor(seed), password, signal);
      return false;
    },
    dummySettingsFor: dummies.settingsFor,
    useDummyLayout: dummies.use,
    needsRehash(stored) {
      // What a hash under today's settings starts with: the common case needs no parsing.
      if (stored.startsWith(currentPrefix)) return false;
      try {
        const parsed = parseOptions(stored);
        return (
          parsed.algorithm !== ARGON2ID ||
          parsed.version !== VERSION_0X13 ||
          parsed.memoryCost !== settings.memoryKib ||
          parsed.timeCost !== settings.iterations ||
          parsed.parallelism !== settings.parallelism
        );
      } catch {
        return true;
      }
    },
  };
}
