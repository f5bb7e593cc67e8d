// The limits an operator can tune (README's table, .env.example): lifetimes, counts,
// throttles, the clave policy and the argon2id cost, each with its safe default and bounds.
import { availableParallelism } from 'node:os';
import { duration, integer, type Env } from './env-values.ts';

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

export function readLimits(env: Env): Limits {
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
