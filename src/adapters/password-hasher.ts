/**
 * Claves are stored as argon2id PHC strings ($argon2id$v=19$m=…,t=…,p=…$salt$hash), so
 * each hash carries its own parameters and old ones keep verifying after a change.
 */
import { randomBytes } from 'node:crypto';
import { hash, parseOptions, verify, type Algorithm, type Version } from '@node-rs/argon2';

export interface Argon2Settings {
  memoryKib: number;
  iterations: number;
  parallelism: number;
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

export function createPasswordHasher(settings: Argon2Settings): PasswordHasher {
  const options = {
    algorithm: ARGON2ID,
    version: VERSION_0X13,
    memoryCost: settings.memoryKib,
    timeCost: settings.iterations,
    parallelism: settings.parallelism,
  };

  let dummy: Promise<string> | undefined;
  // A random secret nobody knows: the dummy can never verify, only cost the same.
  const dummyHash = (): Promise<string> => (dummy ??= hash(randomBytes(32), options));

  async function safeVerify(stored: string, password: string): Promise<boolean> {
    try {
      return await verify(stored, password);
    } catch {
      // A malformed or truncated hash is a wrong clave, not a server error.
      return false;
    }
  }

  return {
    hash: (password) => hash(password, options),
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
