// Reading configuration values from the environment: each names its variable when it is
// wrong, in the operators' language, and never echoes a secret.
import { z } from 'zod';
import { parseDuration } from './duration.ts';

/** A configuration problem: names the variable, never echoes a secret. */
export class ConfigError extends Error {
  constructor(readonly variable: string, problem: string) {
    super(`${variable}: ${problem}`);
    this.name = 'ConfigError';
  }
}

export type Env = Record<string, string | undefined>;

export function read(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

export function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = read(env, name);
  if (raw === undefined) return fallback;
  const parsed = z.string().regex(/^\d+$/).transform(Number).pipe(z.number().min(min).max(max)).safeParse(raw);
  if (!parsed.success) throw new ConfigError(name, `debe ser un número entero entre ${min} y ${max} (recibido "${raw}")`);
  return parsed.data;
}

export function duration(env: Env, name: string, fallback: string, bounds?: { min: string; max: string }): number {
  const raw = read(env, name) ?? fallback;
  const ms = parseDuration(raw);
  if (ms === undefined || ms <= 0) {
    throw new ConfigError(name, `debe ser una duración como 30s, 15m o 24h (recibido "${raw}")`);
  }
  if (bounds && (ms < parseDuration(bounds.min)! || ms > parseDuration(bounds.max)!)) {
    throw new ConfigError(name, `debe estar entre ${bounds.min} y ${bounds.max} (recibido "${raw}")`);
  }
  return ms;
}

export function oneOf<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T): T {
  const raw = read(env, name) ?? fallback;
  if (!(allowed as readonly string[]).includes(raw)) {
    throw new ConfigError(name, `debe ser uno de ${allowed.join(', ')} (recibido "${raw}")`);
  }
  return raw as T;
}

export function booleanFlag(env: Env, name: string, fallback: boolean): boolean {
  const raw = read(env, name)?.toLowerCase();
  if (raw === undefined) return fallback;
  if (['1', 'true', 'si', 'sí', 'yes'].includes(raw)) return true;
  if (['0', 'false', 'no'].includes(raw)) return false;
  throw new ConfigError(name, `debe ser true o false (recibido "${raw}")`);
}

export function url(env: Env, name: string, protocols: readonly string[]): string | undefined {
  const raw = read(env, name);
  if (raw === undefined) return undefined;
  const parsed = URL.canParse(raw) ? new URL(raw) : undefined;
  if (!parsed || !protocols.includes(parsed.protocol)) {
    throw new ConfigError(name, `debe ser una URL ${protocols.map((p) => `${p}//…`).join(' o ')}`);
  }
  return raw;
}
