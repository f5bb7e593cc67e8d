import { resolve } from 'node:path';
import { booleanFlag, ConfigError, integer, oneOf, read, url, type Env } from './env-values.ts';
import { readLimits, type Limits } from './limits.ts';

export { ConfigError } from './env-values.ts';
export type { Limits } from './limits.ts';

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
  /** The institute's page of agencies and their hours, linked where people are sent to one; none by default. */
  agenciesUrl: string | undefined;
  demoData: boolean;
  limits: Limits;
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
    agenciesUrl: url(env, 'AGENCIES_URL', ['https:', 'http:']),
    demoData: booleanFlag(env, 'DEMO_DATA', storageConfig.kind === 'pglite-file' && !production),
    limits: readLimits(env),
  };
}
