import { createHash, createHmac, randomBytes } from 'node:crypto';

/** 32 random bytes as base64url: 43 characters, 256 bits. */
export const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

export interface IssuedToken {
  /** Given to the person once (in a link, a cookie or an API answer); never stored. */
  token: string;
  /** What is stored: SHA-256 of the token. */
  hash: Buffer;
}

export function hashToken(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

export function issueToken(): IssuedToken {
  const token = randomBytes(32).toString('base64url');
  return { token, hash: hashToken(token) };
}

export function isWellFormedToken(value: unknown): value is string {
  return typeof value === 'string' && TOKEN_PATTERN.test(value);
}

/**
 * A stable, secret-keyed reference to a cédula, for rows that must be found by cédula
 * (audit trail, failure counters) without holding it in clear.
 */
export function cedulaRef(secret: string, cedula: string): Buffer {
  return createHmac('sha256', secret).update(`cedula:${cedula}`).digest();
}

/**
 * Where a cédula without a clave falls in the dummy layout (dummy-layout.ts). Apart from
 * cedulaRef, which is stored in several tables: reading those must not tell which
 * settings a cédula's dummy has.
 */
export function dummySeed(secret: string, cedula: string): Buffer {
  return createHmac('sha256', secret).update(`argon2-dummy:${cedula}`).digest();
}
