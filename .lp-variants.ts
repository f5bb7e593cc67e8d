// scratch: current login() vs leaner variants, interleaved with verify rounds (deleted afterwards)
import { createReadStream, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { writeDemoData } from './src/commands/demo-data.ts';
import { csvRows } from './src/adapters/registry/csv-rows.ts';
import { openPostgres } from './src/adapters/db/postgres.ts';
import type { Database, Sql } from './src/adapters/db/database.ts';
import { createPasswordHasher } from './src/adapters/password-hasher.ts';
import { demoAffiliate } from './src/adapters/registry/demo-registry.ts';
import { importAffiliates, importEmployment } from './src/services/registry-import.ts';
import { startTestClave } from './test/support/clave.ts';
import { createRecoveryStorage } from './src/adapters/db/recovery-stores.ts';
import { createThrottle } from './src/adapters/throttle.ts';
import { throttleRules } from './src/app.ts';
import { login } from './src/services/account/login.ts';
import { cedulaRef, issueToken } from './src/domain/tokens.ts';
import { maskCedula } from './src/domain/cedula.ts';

const URL = 'postgres://postgres@127.0.0.1:5432/test';
const schema = `bench_${randomBytes(4).toString('hex')}`;
const admin = await openPostgres(URL, { poolSize: 1 });
await admin.exec(`CREATE SCHEMA ${schema}`);
let db!: Database;
let trips = 0;
function counting(d: Database): Database {
  const wrap = (sql: Sql): Sql => ({ query: (t, p) => { trips++; return sql.query(t, p); }, exec: (t) => sql.exec(t) });
  return { engine: d.engine, ...wrap(d), transaction: (w) => { trips += 2; return d.transaction((tx) => w(wrap(tx))); }, close: () => d.close() };
}
const clave = await startTestClave({ name: 'postgres', async open() { db = counting(await openPostgres(URL, { searchPath: schema })); return { db, dispose: () => db.close() }; } }, { LOG_LEVEL: 'silent', LOGIN_ATTEMPTS_PER_IP: '100000' });
const files = await writeDemoData(2000, mkdtempSync(join(tmpdir(), 'lp-')));
await importAffiliates(clave.registry, csvRows(createReadStream(files.affiliates)), { today: '2025-01-01' });
await importEmployment(clave.registry, csvRows(createReadStream(files.employment)), { today: '2025-01-01' });
const limits = clave.config.limits;
const hasher = createPasswordHasher({ memoryKib: limits.argon2MemoryKib, iterations: limits.argon2Iterations, parallelism: limits.argon2Parallelism });
const people: { cedula: string; password: string; hash: string }[] = [];
for (let i = 0; i < 40; i++) { const password = `pw-Tigre-${i}-nube`; const p = { cedula: demoAffiliate(i).affiliate.cedula, password, hash: await hasher.hash(password) }; people.push(p); await clave.db.query("INSERT INTO accounts (cedula, status, password_hash) VALUES ($1,'active',$2)", [p.cedula, p.hash]); }
const secret = clave.secret;
const ctx: any = { storage: createRecoveryStorage(db, { secret }), hasher, throttle: createThrottle(throttleRules(limits)), clock: () => new Date(), secret, limits };
const client = { ip: '127.0.0.1', userAgent: 'lightMyRequest' };

// B: current code minus the DELETE when there were no failures (simulated by same ops as current but skipping reset)
async function variantSkipReset(cedula: string, password: string) {
  const ref = cedulaRef(secret, cedula);
  const { stores } = ctx.storage;
  await ctx.throttle.consume('login_ip', client.ip);
  const [account, failures] = await Promise.all([stores.accounts.find(cedula), stores.loginFailures.count(ref)]);
  const ok = await hasher.verify(account.passwordHash, password);
  if (!ok) throw new Error('bad');
  const now = new Date(); const { hash } = issueToken();
  await ctx.storage.transaction(async (tx: any) => {
    if (failures > 0) await tx.loginFailures.reset(ref);
    await tx.sessions.create(hash, { cedula, createdAt: now, idleExpiresAt: new Date(+now + 1800e3), absoluteExpiresAt: new Date(+now + 43200e3), ...client });
    await tx.audit.record({ event: 'login', cedula, ...client, at: now, outcome: 'ok' });
  });
}
// C: one read statement + one write statement (CTE), no explicit transaction
const READ = `SELECT a.status, a.password_hash, coalesce((SELECT failures FROM login_failures WHERE cedula_ref = $2), 0) AS failures
  FROM (SELECT 1) AS one LEFT JOIN accounts a ON a.cedula = $1`;
const WRITE = `WITH reset AS (DELETE FROM login_failures WHERE cedula_ref = $1),
  s AS (INSERT INTO sessions (id_hash, cedula, created_at, last_seen_at, idle_expires_at, absolute_expires_at, ip, user_agent) VALUES ($2, $3, $4, $4, $5, $6, $7, $8))
  INSERT INTO audit_events (occurred_at, event, outcome, cedula_masked, cedula_ref, flow_id, ip, user_agent, detail) VALUES ($4, 'login', 'ok', $9, $1, NULL, $7, $8, '{}')`;
async function variantTwoStatements(cedula: string, password: string, syncOff = false) {
  const ref = cedulaRef(secret, cedula);
  await ctx.throttle.consume('login_ip', client.ip);
  const [row] = await db.query<{ status: string; password_hash: string; failures: number }>(READ, [cedula, ref]);
  const ok = await hasher.verify(row!.password_hash, password);
  if (!ok) throw new Error('bad');
  const now = new Date(); const { hash } = issueToken();
  const params = [ref, hash, cedula, now, new Date(+now + 1800e3), new Date(+now + 43200e3), client.ip, client.userAgent, maskCedula(cedula)];
  if (syncOff) await db.transaction(async (tx) => { await tx.query('SET LOCAL synchronous_commit = off'); await tx.query(WRITE, params); });
  else await db.query(WRITE, params);
}

async function par<T>(items: T[], c: number, w: (x: T) => Promise<void>) { let n = 0; await Promise.all(Array.from({ length: c }, async () => { while (n < items.length) await w(items[n++]!); })); }
const conc = Number(process.argv[2] ?? 2);
const rounds = Number(process.argv[3] ?? 8);
const per = 25;
type Res = { n: number; s: number; trips: number; cpu: number; elu: number };
const acc = new Map<string, Res>();
async function run(name: string, w: (p: typeof people[0]) => Promise<void>, offset: number) {
  const items = Array.from({ length: per }, (_, i) => people[(offset + i) % 40]!);
  const t0 = trips; const cpu = process.cpuUsage(); const elu = performance.eventLoopUtilization(); const t = performance.now();
  await par(items, conc, w);
  const s = (performance.now() - t) / 1000; const c = process.cpuUsage(cpu); const u = performance.eventLoopUtilization(elu).utilization;
  const r = acc.get(name) ?? { n: 0, s: 0, trips: 0, cpu: 0, elu: 0 };
  r.n += per; r.s += s; r.trips += trips - t0; r.cpu += (c.user + c.system) / 1000; r.elu += u * s; acc.set(name, r);
}
const variants: [string, (p: typeof people[0]) => Promise<void>][] = [
  ['argon2 verify only (limit)', async (p) => { await hasher.verify(p.hash, p.password); }],
  ['A current login() (service, no HTTP)', async (p) => { await login(ctx, p.cedula, p.password, client); }],
  ['A+HTTP current via inject', async (p) => { const r = await clave.web.inject({ method: 'POST', url: '/api/v1/sessions', payload: { cedula: p.cedula, password: p.password } }); if (r.statusCode !== 201) throw new Error(r.body); }],
  ['B skip DELETE when 0 failures', (p) => variantSkipReset(p.cedula, p.password)],
  ['C 1 read + 1 CTE write, no BEGIN/COMMIT', (p) => variantTwoStatements(p.cedula, p.password)],
  ['D as C, write with synchronous_commit=off', (p) => variantTwoStatements(p.cedula, p.password, true)],
];
for (const [n, w] of variants) await run(n, w, 0); acc.clear(); // warm
for (let r = 0; r < rounds; r++) for (const [n, w] of variants) await run(n, w, r * per);
const limit = acc.get(variants[0]![0])!;
console.log(`conc ${conc}, ${rounds} rounds x ${per} per variant, interleaved`);
for (const [n, r] of acc) console.log(`${n.padEnd(44)} ${(r.n / r.s).toFixed(1).padStart(6)}/s  ratio ${((r.n / r.s) / (limit.n / limit.s)).toFixed(2)}  mean ${(1000 * r.s / r.n * conc).toFixed(1).padStart(5)} ms  ${(r.trips / r.n).toFixed(1)} trips  cpu ${(r.cpu / r.n).toFixed(1)} ms  ELU ${(100 * r.elu / r.s).toFixed(0)}%`);
await clave.dispose(); await admin.exec(`DROP SCHEMA ${schema} CASCADE`); await admin.close();
