/**
 * Claves are stored as argon2id PHC strings ($argon2id$v=19$m=…,t=…,p=…$salt$hash), so
 * each hash carries its own parameters and old ones keep verifying after a change.
 */
import { randomBytes } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { hash, parseOptions, verify, type Algorithm, type Version } from '@node-rs/argon2';
import { Overloaded } from '../services/ports.ts';

export interface Argon2Settings {
  memoryKib: number;
  iterations: number;
  parallelism: number;
  /** How many hashes or verifications run at once; the rest wait their turn. Default: the cores. */
  concurrency?: number;
  /** How many may wait; past it a request is refused at once (Overloaded). Default: unbounded. */
  queueLimit?: number;
}

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(hash: string, password: string): Promise<boolean>;
  /** Verify against a fixed dummy hash so unknown users cost the same time. */
  verifyDummy(password: string): Promise<false>;
  needsRehash(hash: string): boolean;
}

// The package declares these as `const enum`s and its runtime object is empty, so
// `Algorithm.Argon2id` would be undefined under tsx/esbuild. Spell the values out.
const ARGON2ID: Algorithm.Argon2id = 2;
const VERSION_0X13: Version.V0x13 = 1;

/**
 * Runs at most `limit` tasks at once, the others in arrival order. More argon2id work in
 * flight than cores only splits the same CPU and evicts each other's 19 MiB from the
 * caches (measured: fewer verifies per second), and holds more memory.
 */
export function turnstile(limit: number, queueLimit = Number.POSITIVE_INFINITY) {
  let running = 0;
  const waiting: (() => void)[] = [];
  return async <T>(task: () => Promise<T>): Promise<T> => {
    if (running < limit) running++;
    else if (waiting.length >= queueLimit) throw new Overloaded('argon2id');
    else await new Promise<void>((resolve) => waiting.push(resolve));
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

  let dummy: Promise<string> | undefined;
  // A random secret nobody knows: the dummy can never verify, only cost the same.
  const dummyHash = (): Promise<string> =>
    (dummy ??= inTurn(() => hash(randomBytes(32), options)).catch((error: unknown) => {
      // Not kept when it failed: every unknown cédula would get an error a real one does not.
      dummy = undefined;
      throw error;
    }));

  async function safeVerify(stored: string, password: string): Promise<boolean> {
    try {
      return await inTurn(() => verify(stored, password));
    } catch (error) {
      if (error instanceof Overloaded) throw error;
      // A malformed or truncated hash is a wrong clave, not a server error.
      return false;
    }
  }

  return {
    hash: (password) => inTurn(() => hash(password, options)),
    verify: safeVerify,
    async verifyDummy(password) {
      await safeVerify(await dummyHash(), password);
      return false;
    },
    needsRehash(stored) {
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
