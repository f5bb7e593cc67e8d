// The floor of this stack for a sign-in, measured beside the real one in bench/login.ts: a
// bare Fastify route, driven through inject as the app is, that does only what any login
// with lockout must do for a right clave: count the attempt before the check (one
// statement, committed without waiting for the WAL flush, as the app's claim), verify with
// the same hasher, open the session (one statement, a durable commit) and answer JSON. It
// is driven with right claves only (a refused attempt would need a durable write too). It
// runs on tables of its own in the bench's schema, through the same query layer and pool.
// No hooks, headers, throttle, audit row or cookie: the app's ratio cannot beat it, and the
// distance between the two is what the application itself adds.
import { createHash, randomBytes } from 'node:crypto';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Sql } from '../src/adapters/db/database.ts';
import type { PasswordHasher } from '../src/adapters/password-hasher.ts';

export interface FloorPerson {
  cedula: string;
  hash: string;
}

const SCHEMA = `
  CREATE TABLE floor_accounts (cedula text PRIMARY KEY, password_hash text NOT NULL);
  CREATE TABLE floor_failures (cedula text PRIMARY KEY, failures int NOT NULL);
  CREATE TABLE floor_sessions (id_hash bytea PRIMARY KEY, cedula text NOT NULL REFERENCES floor_accounts, created_at timestamptz NOT NULL)`;

const CLAIM = `
  WITH no_wait AS (SELECT set_config('synchronous_commit', 'off', true)),
  counted AS (
    INSERT INTO floor_failures (cedula, failures) VALUES ($1, 1)
    ON CONFLICT (cedula) DO UPDATE SET failures = floor_failures.failures + 1 RETURNING failures)
  SELECT a.password_hash, (SELECT failures FROM counted) AS failures FROM no_wait LEFT JOIN floor_accounts a ON a.cedula = $1`;

const OPEN_SESSION = `
  WITH reset AS (UPDATE floor_failures SET failures = 0 WHERE cedula = $1)
  INSERT INTO floor_sessions (id_hash, cedula, created_at) VALUES ($2, $1, $3)`;

/** The bare login route over `db`, with `people` given their stored hashes. */
export async function floorLogin(db: Sql, hasher: PasswordHasher, people: readonly FloorPerson[]): Promise<FastifyInstance> {
  await db.exec(SCHEMA);
  for (const { cedula, hash } of people) await db.query('INSERT INTO floor_accounts (cedula, password_hash) VALUES ($1, $2)', [cedula, hash]);
  const app = Fastify();
  app.post('/floor/sessions', async (request, reply) => {
    const { cedula, password } = request.body as { cedula: string; password: string };
    const [claimed] = await db.query<{ password_hash: string | null }>(CLAIM, [cedula]);
    if (!claimed?.password_hash || !(await hasher.verify(claimed.password_hash, password))) return reply.code(401).send({ error: 'refused' });
    const session = randomBytes(32);
    await db.query(OPEN_SESSION, [cedula, createHash('sha256').update(session).digest(), new Date()]);
    return reply.code(201).send({ session: session.toString('base64url') });
  });
  await app.ready();
  return app;
}
