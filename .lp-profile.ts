// scratch profiler (not part of the repo; deleted afterwards)
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

const URL = 'postgres://postgres@127.0.0.1:5432/test';
const times = new Map<string, number[]>();
const rec = (k: string, v: number) => { if (!times.has(k)) times.set(k, []); times.get(k)!.push(v); };
let recording = false;
function timing(db: Database): Database {
  const wrap = (sql: Sql): Sql => ({
    async query<Row>(text: string, params?: readonly unknown[]) {
      const t = performance.now();
      try { return await sql.query<Row>(text, params); } finally { if (recording) rec('SQL ' + text.replace(/\s+/g, ' ').slice(0, 60), performance.now() - t); }
    },
    exec: (t) => sql.exec(t),
  });
  return { engine: db.engine, ...wrap(db), transaction(work) { const t = performance.now(); return db.transaction((tx) => work(wrap(tx))).finally(() => recording && rec('TX whole', performance.now() - t)); }, close: () => db.close() };
}
const schema = `bench_${randomBytes(4).toString('hex')}`;
const admin = await openPostgres(URL, { poolSize: 1 });
await admin.exec(`CREATE SCHEMA ${schema}`);
let rawDb!: Database;
const clave = await startTestClave({ name: 'postgres', async open() { rawDb = timing(await openPostgres(URL, { searchPath: schema })); return { db: rawDb, dispose: () => rawDb.close() }; } }, { LOG_LEVEL: 'silent', LOGIN_ATTEMPTS_PER_IP: '100000' });
const dir = mkdtempSync(join(tmpdir(), 'lp-'));
const files = await writeDemoData(2000, dir);
await importAffiliates(clave.registry, csvRows(createReadStream(files.affiliates)), { today: '2025-01-01' });
await importEmployment(clave.registry, csvRows(createReadStream(files.employment)), { today: '2025-01-01' });
const limits = clave.config.limits;
const hasher = createPasswordHasher({ memoryKib: limits.argon2MemoryKib, iterations: limits.argon2Iterations, parallelism: limits.argon2Parallelism });
const people: { cedula: string; password: string; hash: string }[] = [];
for (let i = 0; i < 40; i++) { const password = `pw-Tigre-${i}-nube`; const p = { cedula: demoAffiliate(i).affiliate.cedula, password, hash: await hasher.hash(password) }; people.push(p); await clave.db.query("INSERT INTO accounts (cedula, status, password_hash) VALUES ($1,'active',$2)", [p.cedula, p.hash]); }

// my own ctx, same pieces as app.ts, with a timed hasher
const timedHasher = { ...hasher, async verify(h: string, p: string) { const t = performance.now(); try { return await hasher.verify(h, p); } finally { if (recording) rec('argon2 verify (in login)', performance.now() - t); } } };
const ctx: any = { storage: createRecoveryStorage(rawDb, { secret: clave.secret }), hasher: timedHasher, throttle: createThrottle(throttleRules(limits)), clock: () => new Date(), secret: clave.secret, limits };

const mode = process.argv[2] ?? 'alone';
const conc = Number(process.argv[3] ?? 1);
const N = 200;
async function par<T>(items: T[], c: number, w: (x: T) => Promise<void>) { let n = 0; await Promise.all(Array.from({ length: c }, async () => { while (n < items.length) await w(items[n++]!); })); }
const attempts = Array.from({ length: N }, (_, i) => people[i % 40]!);
// warm
for (const p of attempts.slice(0, 10)) { await login(ctx, p.cedula, p.password, { ip: '1.1.1.1' }); await clave.web.inject({ method: 'POST', url: '/api/v1/sessions', payload: { cedula: p.cedula, password: p.password } }); }
recording = true;
const report = (label: string, arr: number[]) => { const s = [...arr].sort((a, b) => a - b); console.log(`${label.padEnd(70)} n=${String(s.length).padStart(4)} mean ${(s.reduce((a, b) => a + b, 0) / s.length).toFixed(2).padStart(7)} median ${s[Math.floor(s.length / 2)]!.toFixed(2).padStart(7)} p95 ${s[Math.ceil(0.95 * s.length) - 1]!.toFixed(2).padStart(7)}`); };
async function phase(name: string, w: (p: typeof people[0]) => Promise<void>) {
  times.clear();
  const elu = performance.eventLoopUtilization(); const cpu = process.cpuUsage(); const t = performance.now();
  await par(attempts, conc, async (p) => { const s = performance.now(); await w(p); rec('TOTAL', performance.now() - s); });
  const secs = (performance.now() - t) / 1000; const c = process.cpuUsage(cpu);
  console.log(`\n-- ${name}, conc ${conc}: ${(N / secs).toFixed(1)}/s, ELU ${(100 * performance.eventLoopUtilization(elu).utilization).toFixed(0)}%, cpu ${((c.user + c.system) / 1000 / N).toFixed(2)} ms/op (user ${(c.user / 1000 / N).toFixed(2)})`);
  for (const [k, v] of times) report(k, v);
}
if (mode === 'prof') { const { Session } = await import('node:inspector/promises'); const { writeFileSync } = await import('node:fs'); const session = new Session(); session.connect(); await session.post('Profiler.enable'); await session.post('Profiler.setSamplingInterval', { interval: 100 }); await session.post('Profiler.start'); await phase('inject POST /sessions', async (p) => { const r = await clave.web.inject({ method: 'POST', url: '/api/v1/sessions', payload: { cedula: p.cedula, password: p.password } }); if (r.statusCode !== 201) throw new Error(r.body); }); const { profile } = await session.post('Profiler.stop'); writeFileSync('/tmp/lp/inject.cpuprofile', JSON.stringify(profile)); await clave.dispose(); await admin.exec(`DROP SCHEMA ${schema} CASCADE`); await admin.close(); process.exit(0); }
await phase('verify only', async (p) => { await timedHasher.verify(p.hash, p.password); });
await phase('login() service direct', async (p) => { await login(ctx, p.cedula, p.password, { ip: '1.1.1.1' }); });
await phase('inject POST /sessions', async (p) => { const r = await clave.web.inject({ method: 'POST', url: '/api/v1/sessions', payload: { cedula: p.cedula, password: p.password } }); if (r.statusCode !== 201) throw new Error(r.body); });
await phase('inject POST /sessions bad cedula (CLV-001, no db/argon2)', async () => { const r = await clave.web.inject({ method: 'POST', url: '/api/v1/sessions', payload: { cedula: '123', password: 'x' } }); if (r.statusCode !== 400) throw new Error(r.body); });
await phase('inject GET /healthz', async () => { await clave.web.inject({ method: 'GET', url: '/healthz' }); });
await phase('verify only (again)', async (p) => { await timedHasher.verify(p.hash, p.password); });
await clave.dispose();
await admin.exec(`DROP SCHEMA ${schema} CASCADE`); await admin.close();
