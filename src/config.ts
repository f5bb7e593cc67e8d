import { availableParallelism } from 'node:os';
import { z } from 'zod';
import { resolve } from 'node:path';
import { parseDuration } from './duration.ts';

export type StorageConfig =
  | { kind: 'pglite-file'; dataDir: string }
  | { kind: 'pglite-memory' }
  | { kind: 'postgres'; url: string };

export interface Config {
  nodeEnv: 'development' | 'production' | 'test';
  port: number;
  host: string;
  publicUrl: URL;
  storage: StorageConfig;
  dataDir: string;
  redisUrl: string | undefined;
  smtpUrl: string | undefined;
  smsWebhookUrl: string | undefined;
  mailFrom: string;
  secretKey: string | undefined;
  trustProxy: boolean | number | string[];
  /** Bearer token /metrics asks for; without one, /metrics is served only outside production. */
  metricsToken: string | undefined;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  timeZone: string;
  instituteName: string;
  demoData: boolean;
  limits: Limits;
}

export interface Limits {
  flowTtlMs: number;
  recoveryLinkTtlMs: number;
  unlockLinkTtlMs: number;
  resetSessionTtlMs: number;
  captchaTtlMs: number;
  captchaMaxNumber: number;
  kbaQuestions: number;
  identityMaxFailures: number;
  identityFailureWindowMs: number;
  emailsPerCedulaPerDay: number;
  loginMaxFailures: number;
  loginAttemptsPerIp: number;
  loginIpWindowMs: number;
  flowStartsPerIp: number;
  flowStartsPerCedula: number;
  identityPerIp: number;
  redeemsPerIp: number;
  helpPerIp: number;
  notFoundPerIp: number;
  mailsPerAddressPerDay: number;
  /** Live checks of a clave being typed (the meter), per reset session or Mi cuenta session, per 10 min. */
  claveChecksPerSession: number;
  /** The same, per client address. */
  claveChecksPerIp: number;
  /** New claves sent to be saved, per reset session, per 10 min (Mi cuenta's count as sign-in attempts). */
  claveSavesPerSession: number;
  passwordMinLength: number;
  passwordClassesBelow: number;
  passwordHistory: number;
  argon2MemoryKib: number;
  argon2Iterations: number;
  argon2Parallelism: number;
  /** IPv6 clients are throttled per network of this many leading bits. */
  throttleIpv6Prefix: number;
  /** Threads that check new claves (zxcvbn) off the event loop; 0 checks on it. */
  passwordCheckWorkers: number;
  /** How long a thread may take over one check before it is stopped and the check gets CLV-090. */
  passwordCheckTimeoutMs: number;
  /** Checks a thread may hold before a clave being saved gets CLV-090 (the live meter's stop at a tenth). */
  passwordCheckQueueLimit: number;
  /** argon2id computations at once, across all requests. */
  argon2Concurrency: number;
  /** argon2id computations that may wait; past it requests get CLV-090 at once. */
  argon2QueueLimit: number;
  /** How often the argon2id settings of stored claves are read again, for the dummy verifications. */
  dummyHashRefreshMs: number;
  sessionIdleTtlMs: number;
  sessionAbsoluteTtlMs: number;
  /** A client that sends nothing for this long, or takes longer for one request, is cut off. */
  httpTimeoutMs: number;
  /** Expired flows and links, ended sessions, delivered mail… are deleted this long after. */
  retentionMs: number;
  /** How often each serving instance looks for rows past their retention. */
  retentionPurgeEveryMs: number;
}

/** A configuration problem: names the variable, never echoes a secret. */
export class ConfigError extends Error {
  constructor(readonly variable: string, problem: string) {
    super(`${variable}: ${problem}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

function read(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = read(env, name);
  if (raw === undefined) return fallback;
  const parsed = z.string().regex(/^\d+$/).transform(Number).pipe(z.number().min(min).max(max)).safeParse(raw);
  if (!parsed.success) throw new ConfigError(name, `debe ser un número entero entre ${min} y ${max} (recibido "${raw}")`);
  return parsed.data;
}

function duration(env: Env, name: string, fallback: string, bounds?: { min: string; max: string }): number {
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

function oneOf<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T): T {
  const raw = read(env, name) ?? fallback;
  if (!(allowed as readonly string[]).includes(raw)) {
    throw new ConfigError(name, `debe ser uno de ${allowed.join(', ')} (recibido "${raw}")`);
  }
  return raw as T;
}

function booleanFlag(env: Env, name: string, fallback: boolean): boolean {
  const raw = read(env, name)?.toLowerCase();
  if (raw === undefined) return fallback;
  if (['1', 'true', 'si', 'sí', 'yes'].includes(raw)) return true;
  if (['0', 'false', 'no'].includes(raw)) return false;
  throw new ConfigError(name, `debe ser true o false (recibido "${raw}")`);
}

function url(env: Env, name: string, protocols: readonly string[]): string | undefined {
  const raw = read(env, name);
  if (raw === undefined) return undefined;
  const parsed = URL.canParse(raw) ? new URL(raw) : undefined;
  if (!parsed || !protocols.includes(parsed.protocol)) {
    throw new ConfigError(name, `debe ser una URL ${protocols.map((p) => `${p}//…`).join(' o ')}`);
  }
  return raw;
}

/** The gateway's user:password go as a Basic header, percent-decoded: a bare % must stop the boot here, by name. */
function smsWebhookUrl(env: Env): string | undefined {
  const raw = url(env, 'SMS_WEBHOOK_URL', ['http:', 'https:']);
  if (raw === undefined) return undefined;
  const { username, password } = new URL(raw);
  try {
    decodeURIComponent(username);
    decodeURIComponent(password);
  } catch {
    throw new ConfigError('SMS_WEBHOOK_URL', 'el usuario o la contraseña llevan un % que no forma un código válido (escriba % como %25)');
  }
  return raw;
}

function storage(env: Env, dataDir: string): StorageConfig {
  const raw = read(env, 'DATABASE_URL');
  if (raw === undefined) return { kind: 'pglite-file', dataDir };
  if (raw === 'memory://') return { kind: 'pglite-memory' };
  if (/^postgres(ql)?:\/\/./.test(raw) && URL.canParse(raw)) return { kind: 'postgres', url: raw };
  throw new ConfigError('DATABASE_URL', 'debe estar vacía (base embebida), ser memory:// o una URL postgres://…');
}

function smtpUrl(env: Env, production: boolean): string | undefined {
  const value = url(env, 'SMTP_URL', ['smtp:', 'smtps:']);
  // The built-in catcher would swallow real citizens' mail.
  if (value === undefined && production) throw new ConfigError('SMTP_URL', 'es obligatoria con NODE_ENV=production');
  return value;
}

function trustProxy(env: Env): boolean | number | string[] {
  const raw = read(env, 'TRUST_PROXY');
  if (raw === undefined || raw === 'false') return false;
  if (raw === 'true') return true;
  if (/^\d+$/.test(raw)) return Number(raw);
  const addresses = raw.split(',').map((part) => part.trim());
  if (addresses.every((address) => /^[0-9a-fA-F:.\/]+$/.test(address))) return addresses;
  throw new ConfigError('TRUST_PROXY', 'debe ser false, true, un número de saltos o una lista de IP/CIDR separadas por comas');
}

function timeZone(env: Env): string {
  const zone = read(env, 'TIME_ZONE') ?? 'America/Guayaquil';
  try {
    new Intl.DateTimeFormat('es-EC', { timeZone: zone });
  } catch {
    throw new ConfigError('TIME_ZONE', `no es una zona horaria IANA conocida (recibido "${zone}")`);
  }
  return zone;
}

function secretKey(env: Env, production: boolean): string | undefined {
  const secret = longSecret(env, 'SECRET_KEY');
  if (secret === undefined && production) throw new ConfigError('SECRET_KEY', 'es obligatoria con NODE_ENV=production');
  return secret;
}

/** A secret value, when set, long enough not to be guessed; the value itself is never echoed. */
function longSecret(env: Env, name: string): string | undefined {
  const value = read(env, name);
  if (value !== undefined && value.length < 32) throw new ConfigError(name, 'debe tener al menos 32 caracteres');
  return value;
}

function publicUrl(env: Env, port: number, production: boolean): URL {
  const raw = read(env, 'PUBLIC_URL') ?? `http://localhost:${port}`;
  const parsed = URL.canParse(raw) ? new URL(raw) : undefined;
  if (!parsed || !['http:', 'https:'].includes(parsed.protocol)) {
    throw new ConfigError('PUBLIC_URL', `debe ser una URL http(s)://… (recibido "${raw}")`);
  }
  if (production && parsed.protocol !== 'https:') throw new ConfigError('PUBLIC_URL', 'debe usar https con NODE_ENV=production');
  if (!isOriginOnly(parsed)) {
    throw new ConfigError('PUBLIC_URL', `debe ser solo esquema, servidor y puerto, como https://clave.example.gob.ec (recibido "${parsed.origin}${parsed.pathname}"): Clave se sirve en la raíz de su propio dominio o subdominio, no bajo una ruta`);
  }
  return new URL(parsed.origin);
}

/**
 * Routes, assets and cookies are all mounted at "/", so Clave cannot run under a path
 * prefix: PUBLIC_URL is an origin, and anything more (a path, a query, credentials) is
 * refused rather than dropped from mailed links without a word.
 */
function isOriginOnly(url: URL): boolean {
  return url.pathname.replace(/\/+$/, '') === '' && url.search === '' && url.hash === '' && url.username === '' && url.password === '';
}

function limits(env: Env): Limits {
  return {
    flowTtlMs: duration(env, 'FLOW_TTL', '30m'),
    recoveryLinkTtlMs: duration(env, 'RECOVERY_LINK_TTL', '15m'),
    unlockLinkTtlMs: duration(env, 'UNLOCK_LINK_TTL', '3m'),
    resetSessionTtlMs: duration(env, 'RESET_SESSION_TTL', '10m'),
    captchaTtlMs: duration(env, 'CAPTCHA_TTL', '10m'),
    captchaMaxNumber: integer(env, 'CAPTCHA_MAX_NUMBER', 100_000, 1_000, 10_000_000),
    kbaQuestions: integer(env, 'KBA_QUESTIONS', 3, 0, 5),
    identityMaxFailures: integer(env, 'IDENTITY_MAX_FAILURES', 3, 1, 100),
    identityFailureWindowMs: duration(env, 'IDENTITY_FAILURE_WINDOW', '24h'),
    emailsPerCedulaPerDay: integer(env, 'EMAILS_PER_CEDULA_PER_DAY', 5, 1, 100),
    loginMaxFailures: integer(env, 'LOGIN_MAX_FAILURES', 5, 1, 100),
    loginAttemptsPerIp: integer(env, 'LOGIN_ATTEMPTS_PER_IP', 30, 1, 100_000),
    loginIpWindowMs: duration(env, 'LOGIN_IP_WINDOW', '15m'),
    flowStartsPerIp: integer(env, 'FLOW_STARTS_PER_IP', 20, 1, 1_000_000),
    flowStartsPerCedula: integer(env, 'FLOW_STARTS_PER_CEDULA', 10, 1, 1_000_000),
    identityPerIp: integer(env, 'IDENTITY_PER_IP', 30, 1, 1_000_000),
    redeemsPerIp: integer(env, 'REDEEMS_PER_IP', 30, 1, 1_000_000),
    helpPerIp: integer(env, 'HELP_PER_IP', 120, 1, 1_000_000),
    notFoundPerIp: integer(env, 'NOT_FOUND_PER_IP', 60, 1, 1_000_000),
    mailsPerAddressPerDay: integer(env, 'MAILS_PER_ADDRESS_PER_DAY', 10, 1, 1_000_000),
    claveChecksPerSession: integer(env, 'CLAVE_CHECKS_PER_SESSION', 300, 1, 1_000_000),
    claveChecksPerIp: integer(env, 'CLAVE_CHECKS_PER_IP', 1500, 1, 1_000_000),
    claveSavesPerSession: integer(env, 'CLAVE_SAVES_PER_SESSION', 30, 1, 1_000_000),
    throttleIpv6Prefix: integer(env, 'THROTTLE_IPV6_PREFIX', 64, 32, 128),
    passwordMinLength: integer(env, 'PASSWORD_MIN_LENGTH', 8, 8, 64),
    passwordClassesBelow: integer(env, 'PASSWORD_CLASSES_BELOW', 15, 0, 128),
    passwordHistory: integer(env, 'PASSWORD_HISTORY', 5, 0, 24),
    argon2MemoryKib: integer(env, 'ARGON2_MEMORY_KIB', 19_456, 8_192, 1_048_576),
    argon2Iterations: integer(env, 'ARGON2_ITERATIONS', 2, 1, 10),
    argon2Parallelism: integer(env, 'ARGON2_PARALLELISM', 1, 1, 16),
    argon2Concurrency: integer(env, 'ARGON2_CONCURRENCY', availableParallelism(), 1, 256),
    argon2QueueLimit: integer(env, 'ARGON2_QUEUE_LIMIT', 200, 1, 100_000),
    // Each refresh reads every account (at most one instance at a time); a timer cannot wait past 24.8 days.
    dummyHashRefreshMs: duration(env, 'DUMMY_HASH_REFRESH', '15m', { min: '1s', max: '24h' }),
    passwordCheckWorkers: integer(env, 'PASSWORD_CHECK_WORKERS', 1, 0, 16),
    // At least 1 s, far above the slowest check (tens of milliseconds for the longest claves).
    passwordCheckTimeoutMs: integer(env, 'PASSWORD_CHECK_TIMEOUT_MS', 5_000, 1_000, 60_000),
    passwordCheckQueueLimit: integer(env, 'PASSWORD_CHECK_QUEUE_LIMIT', 100, 1, 100_000),
    sessionIdleTtlMs: duration(env, 'SESSION_IDLE_TTL', '30m'),
    sessionAbsoluteTtlMs: duration(env, 'SESSION_ABSOLUTE_TTL', '12h'),
    httpTimeoutMs: duration(env, 'HTTP_TIMEOUT', '30s'),
    // Rows that a window counts (identity failures, the daily mail cap) outlive it whatever this says.
    retentionMs: duration(env, 'RETENTION', '30d', { min: '1d', max: '3650d' }),
    retentionPurgeEveryMs: duration(env, 'RETENTION_PURGE_EVERY', '1h', { min: '1m', max: '24h' }),
  };
}

/** Reads and validates the whole environment; throws ConfigError on the first bad variable. */
export function loadConfig(env: Env = process.env): Config {
  const nodeEnv = oneOf(env, 'NODE_ENV', ['development', 'production', 'test'] as const, 'development');
  const production = nodeEnv === 'production';
  const port = integer(env, 'PORT', 3000, 0, 65_535);
  const dataDir = resolve(read(env, 'DATA_DIR') ?? './data');
  const storageConfig = storage(env, dataDir);
  const instituteName = read(env, 'INSTITUTE_NAME') ?? 'Instituto de Seguridad Social';
  return {
    nodeEnv,
    port,
    host: read(env, 'HOST') ?? 'localhost',
    publicUrl: publicUrl(env, port, production),
    storage: storageConfig,
    dataDir,
    redisUrl: url(env, 'REDIS_URL', ['redis:', 'rediss:']),
    smtpUrl: smtpUrl(env, production),
    smsWebhookUrl: smsWebhookUrl(env),
    mailFrom: read(env, 'MAIL_FROM') ?? `"${instituteName}" <no-responder@clave.localhost>`,
    secretKey: secretKey(env, production),
    trustProxy: trustProxy(env),
    metricsToken: longSecret(env, 'METRICS_TOKEN'),
    logLevel: oneOf(env, 'LOG_LEVEL', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const, 'info'),
    timeZone: timeZone(env),
    instituteName,
    demoData: booleanFlag(env, 'DEMO_DATA', storageConfig.kind === 'pglite-file' && !production),
    limits: limits(env),
  };
}
