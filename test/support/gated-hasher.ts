import { createPasswordHasher } from '../../src/adapters/password-hasher.ts';
import type { PasswordHasher } from '../../src/services/journey-ports.ts';

type Operation = 'verify' | 'hash';

export interface Held {
  /** Resolves when the held operation has come to the door. */
  reached: Promise<void>;
  release(): void;
}

/**
 * The hasher the app makes by default, whose next verification or hash can be held at the
 * door while the test makes something happen meanwhile: a real interleaving, no mock.
 */
export function gatedHasher(): { hasher: PasswordHasher; holdNext(operation: Operation): Held } {
  const real = createPasswordHasher({ memoryKib: 19_456, iterations: 2, parallelism: 1 });
  let gate: { operation: Operation; arrive: () => void; released: Promise<void> } | undefined;
  const door = async (operation: Operation) => {
    const held = gate;
    if (held?.operation !== operation) return;
    gate = undefined;
    held.arrive();
    await held.released;
  };
  return {
    hasher: {
      ...real,
      verify: async (stored, password, signal) => (await door('verify'), real.verify(stored, password, signal)),
      hash: async (password) => (await door('hash'), real.hash(password)),
    },
    holdNext(operation) {
      let arrive!: () => void;
      let release!: () => void;
      const reached = new Promise<void>((resolve) => (arrive = resolve));
      gate = { operation, arrive, released: new Promise<void>((resolve) => (release = resolve)) };
      return { reached, release };
    },
  };
}
