import { createHash, randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Config } from './config.ts';
import type { Database } from './adapters/db/database.ts';
import { isFullyMigrated, migrate } from './adapters/db/migrate.ts';
import { openPglite } from './adapters/db/pglite.ts';
import { openPostgres } from './adapters/db/postgres.ts';
import { createRegistryStore } from './adapters/db/registry-store.ts';
import { createSettingsStore } from './adapters/db/settings-store.ts';
import { createLogger } from './adapters/logger.ts';
import { startMailCatcher, type MailCatcher } from './adapters/mail/catcher.ts';
import { createSmtpTransport } from './adapters/mail/smtp-transport.ts';
import { loadOrCreateSecret } from './adapters/secret-file.ts';
import { createAltchaCaptcha } from './adapters/captcha.ts';
import { loginStore } from './adapters/db/login-store.ts';
import { periodically } from './periodically.ts';
import { dummyLayoutStore } from './adapters/db/dummy-layout-store.ts';
import { createRecoveryStorage } from './adapters/db/recovery-stores.ts';
import { createOutboxWorker, type OutboxWorker } from './adapters/mail/outbox-worker.ts';
import { createRetention, type Retention } from './adapters/db/retention.ts';
import { createMailRenderer } from './adapters/mail/renderer.ts';
import { createClavePolicy, type ClavePolicyRunner } from './adapters/clave-policy/index.ts';
import { createPasswordHasher } from './adapters/password-hasher.ts';
import type { MailTransport, RegistryStore, SettingsStore } from './services/ports.ts';
import type { Clock } from './services/recovery-ports.ts';
import type { PasswordHasher } from './services/journey-ports.ts';
import { createRecoveryService, type RecoveryService } from './services/recovery/index.ts';
import { RECOVERY_MAIL_CAP_WINDOW_MS } from './services/recovery/mail.ts';
import { BackgroundWork } from './services/recovery/context.ts';
import { kbaReferenceYear } from './services/recovery/reference-year.ts';
import { createAccountService, refreshDummyLayout, type AccountService } from './services/account/index.ts';
import { createThrottle } from './adapters/throttle.ts';
import { createDevInboxSms } from './adapters/sms/dev-inbox.ts';
import { createWebhookSms } from './adapters/sms/webhook.ts';
import { Redis } from 'ioredis';
import { buildWebApp } from './web/server.ts';
import { buildStylesheet } from './web/stylesheet.ts';

/** Every concrete part of a running Clave, wired together. Only this file knows them all. */
export interface Clave {
  config: Config;
  logger: Logger;
  db: Database;
  secret: string;
  registry: RegistryStore;
  settings: SettingsStore;
  mail: MailTransport;
  /** Present when SMTP_URL is unset (development and tests). */
  catcher: MailCatcher | undefined;
  outbox: OutboxWorker;
  /** The threads that check new claves; they start at the first check unless started. */
  clavePolicy: ClavePolicyRunner;
  /** Deletes rows past their retention; scheduled only once started. */
  retention: Retention;
  recovery: RecoveryService;
  account: AccountService;
  /** argon2id, as the services use it. */
  hasher: PasswordHasher;
  web: FastifyInstance;
  /** Waits for work that continues after answers (identity evaluations), then sends what is due. */
  settle(): Promise<void>;
  close(): Promise<void>;
}

export interface ClaveOverrides {
  logger?: Logger;
  /** Tests hand in a database opened on a schema of their own. */
  database?: Database;
  /** Tests move time forward to see links and flows expire. */
  clock?: Clock;
  /** Tests hand in a hasher of their own, to see what the logins ask of it. */
  hasher?: PasswordHasher;
}

/**
 * Migrations (and waiting for another instance's) and counting every stored clave may take
 * longer than a request may: on a connection of their own, with a timeout of their own.
 */
async function ownConnection<T>(config: Config, db: Database, handedIn: boolean, queryTimeoutMs: number | undefined, work: (db: Database) => Promise<T>): Promise<T> {
  if (handedIn || config.storage.kind !== 'postgres') return work(db);
  const own = await openDatabase(config, queryTimeoutMs);
  try {
    return await work(own);
  } finally {
    await own.close();
  }
}

// The client's own limit, a little past the database's (dummy-layout-store.ts), which cancels first.
const COUNT_TIMEOUT_MS = 65_000;
/** Serving answers CLV-090 rather than wait on a database that stopped answering. */
const SERVING_QUERY_TIMEOUT_MS = 1500;

export async function openDatabase(config: Config, queryTimeoutMs?: number): Promise<Database> {
  switch (config.storage.kind) {
    case 'pglite-file':
      return openPglite(config.storage.dataDir);
    case 'pglite-memory':
      return openPglite();
    case 'postgres':
      return openPostgres(config.storage.url, { ...(queryTimeoutMs ? { queryTimeoutMs } : {}) });
  }
}

async function serverSecret(config: Config): Promise<string> {
  if (config.secretKey) return config.secretKey;
  if (config.storage.kind === 'pglite-memory') return randomBytes(32).toString('base64url');
  return loadOrCreateSecret(config.dataDir);
}

async function assetVersion(): Promise<string> {
  const stylesheet = await readFile(await buildStylesheet());
  return createHash('sha256').update(stylesheet).update(process.env.npm_package_version ?? '').digest('hex').slice(0, 12);
}

const TEN_MINUTES = 600;

/** Every traffic throttle and its window; the counts come from the configuration. */
export function throttleRules(limits: Config['limits']) {
  return {
    login_ip: { points: limits.loginAttemptsPerIp, durationSeconds: Math.max(1, Math.round(limits.loginIpWindowMs / 1000)) },
    flow_start_ip: { points: limits.flowStartsPerIp, durationSeconds: TEN_MINUTES },
    flow_start_cedula: { points: limits.flowStartsPerCedula, durationSeconds: 3600 },
    identity_ip: { points: limits.identityPerIp, durationSeconds: TEN_MINUTES },
    redeem_ip: { points: limits.redeemsPerIp, durationSeconds: TEN_MINUTES },
    help_ip: { points: limits.helpPerIp, durationSeconds: 60 },
    not_found_ip: { points: limits.notFoundPerIp, durationSeconds: 60 },
    mail_address: { points: limits.mailsPerAddressPerDay, durationSeconds: 86_400 },
    clave_check: { points: limits.claveChecksPerSession, durationSeconds: TEN_MINUTES },
    clave_check_ip: { points: limits.claveChecksPerIp, durationSeconds: TEN_MINUTES },
    clave_save: { points: limits.claveSavesPerSession, durationSeconds: TEN_MINUTES },
  };
}

const REDIS_START_WAIT_MS = 2000;

/**
 * Waits a little for Redis before serving: commands sent before it is ready fail at once
 * (no offline queue), and each instance would count on its own meanwhile. A Redis that is
 * down does not stop the start: the in-process fallback counts until it comes back.
 */
function connectedOrLater(redis: Redis, waitMs: number): Promise<void> {
  if (redis.status === 'ready') return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      redis.off('ready', done);
      resolve();
    };
    const timer = setTimeout(done, waitMs);
    redis.once('ready', done);
  });
}

export async function createClave(config: Config, overrides: ClaveOverrides = {}): Promise<Clave> {
  const logger = overrides.logger ?? createLogger(config.logLevel);
  const db = overrides.database ?? (await openDatabase(config, SERVING_QUERY_TIMEOUT_MS));
  const handedIn = overrides.database !== undefined;
  await ownConnection(config, db, handedIn, undefined, migrate);
  const clock = overrides.clock ?? (() => new Date());
  const secret = await serverSecret(config);
  const catcher = config.smtpUrl ? undefined : await startMailCatcher();
  const mail = createSmtpTransport(config.smtpUrl ?? catcher!.url, config.mailFrom);
  const sms = config.smsWebhookUrl ? createWebhookSms(config.smsWebhookUrl) : catcher ? createDevInboxSms(catcher) : undefined;
  // The worker also follows up identity verdicts; the recovery service it calls is built just below.
  const followUps = { run: async (): Promise<unknown> => undefined };
  const outbox = createOutboxWorker({ db, transport: mail, sms, clock, logger, beforePass: () => followUps.run() });
  const redis = config.redisUrl ? new Redis(config.redisUrl, { maxRetriesPerRequest: 1, enableOfflineQueue: false, lazyConnect: false }) : undefined;
  redis?.on('error', (error) => logger.warn({ err: error }, 'redis unavailable'));
  if (redis) await connectedOrLater(redis, REDIS_START_WAIT_MS);
  const throttle = createThrottle(throttleRules(config.limits), { redis, keySecret: secret, ipv6PrefixBits: config.limits.throttleIpv6Prefix });
  const settings = createSettingsStore(db);
  const clavePolicy = createClavePolicy({ workers: config.limits.passwordCheckWorkers, timeoutMs: config.limits.passwordCheckTimeoutMs, queueLimit: config.limits.passwordCheckQueueLimit });
  const context = {
    storage: createRecoveryStorage(db, { secret }),
    captcha: createAltchaCaptcha({ secret, ttlMs: config.limits.captchaTtlMs, maxNumber: config.limits.captchaMaxNumber, clock }),
    policy: clavePolicy,
    hasher: overrides.hasher ?? createPasswordHasher({ memoryKib: config.limits.argon2MemoryKib, iterations: config.limits.argon2Iterations, parallelism: config.limits.argon2Parallelism, concurrency: config.limits.argon2Concurrency, queueLimit: config.limits.argon2QueueLimit }),
    renderer: createMailRenderer({ instituteName: config.instituteName, publicUrl: config.publicUrl, timeZone: config.timeZone }),
    clock,
    secret,
    kbaReferenceYear: await kbaReferenceYear(settings, clock()),
    limits: config.limits,
    publicUrl: config.publicUrl,
    instituteName: config.instituteName,
    throttle,
    smsEnabled: sms !== undefined,
    onMailQueued: () => outbox.kick(),
    background: new BackgroundWork((error) => logger.error({ err: error }, 'background work failed')),
  };
  const retention = createRetention({
    db,
    clock,
    logger,
    rules: { keepMs: config.limits.retentionMs, identityFailureWindowMs: config.limits.identityFailureWindowMs, mailCapWindowMs: RECOVERY_MAIL_CAP_WINDOW_MS, loginMaxFailures: config.limits.loginMaxFailures },
    everyMs: config.limits.retentionPurgeEveryMs,
  });
  const recovery = createRecoveryService(context);
  followUps.run = recovery.processIdentityOutcomes;
  const account = createAccountService(context, loginStore(db));
  const dummyLayout = await periodically(config.limits.dummyHashRefreshMs, () =>
    ownConnection(config, db, handedIn, COUNT_TIMEOUT_MS, (own) => refreshDummyLayout(context, dummyLayoutStore(own), config.limits.dummyHashRefreshMs / 2)).then(
      () => true,
      (error: unknown) => {
        logger.warn({ err: error }, 'could not count the argon2id settings of stored claves; cédulas without one keep the dummies they had');
        return false;
      },
    ),
  );
  const web = await buildWebApp(
    {
      publicUrl: config.publicUrl,
      instituteName: config.instituteName,
      agenciesUrl: config.agenciesUrl,
      trustProxy: config.trustProxy,
      production: config.nodeEnv !== 'development',
      metrics: config.metricsToken ? { token: config.metricsToken } : config.nodeEnv === 'production' ? 'off' : 'open',
      assetVersion: await assetVersion(),
      logger,
      limits: config.limits,
      timeZone: config.timeZone,
      clock,
    },
    {
      recovery,
      account,
      throttle,
      readiness: {
        isReady: () => isFullyMigrated(db).catch(() => false),
        outboxPending: () => outbox.pending(),
      },
      ...(catcher && config.nodeEnv !== 'production' ? { devMailbox: catcher } : {}),
    },
  );
  return {
    config,
    logger,
    db,
    secret,
    registry: createRegistryStore(db),
    settings,
    mail,
    catcher,
    outbox,
    clavePolicy,
    retention,
    recovery,
    account,
    hasher: context.hasher,
    web,
    async settle() {
      await context.background.settled();
      await outbox.drain();
    },
    async close() {
      await web.close();
      await context.background.settled();
      await outbox.stop();
      await retention.stop();
      await clavePolicy.close();
      redis?.disconnect();
      await mail.close();
      await catcher?.close();
      // Last: a count under way ends in at most its timeout, and must not keep the web
      // server open meanwhile.
      await dummyLayout.stop();
      // A database handed in by the caller is the caller's to close.
      if (!overrides.database) await db.close();
    },
  };
}
