import { execFile, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync, appendFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { freePort } from './process.ts';

const run = promisify(execFile);

/**
 * A PostgreSQL server of the test's own, made with initdb and pg_ctl from the machine's
 * PostgreSQL binaries on a free loopback port, in a temporary directory. Outage tests stop
 * and start this one; the machine's shared PostgreSQL is never touched.
 */
export interface ThrowawayPostgres {
  /** `postgres://postgres@127.0.0.1:PORT/<database>` (the `postgres` database when none is named). */
  url(database?: string): string;
  readonly port: number;
  readonly dataDir: string;
  /** `CREATE DATABASE name`. */
  createDatabase(name: string): Promise<void>;
  /** `pg_ctl stop -m fast`: every connection is ended and the port closes. */
  stop(): Promise<void>;
  /** `pg_ctl start` again, same port and data; resolves once it accepts connections. */
  start(): Promise<void>;
  /**
   * SIGSTOP to the server and every one of its processes: connections stay open and
   * nothing answers, as with a frozen machine or a network partition. Call `thaw()` after.
   */
  freeze(): Promise<void>;
  /** SIGCONT to every process `freeze()` stopped. */
  thaw(): void;
  /** Stops the server if it runs and deletes its directory. */
  destroy(): Promise<void>;
}

/** The newest `/usr/lib/postgresql/N/bin` holding initdb and pg_ctl, if any. */
export function postgresBinaries(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((name) => /^\d+$/.test(name))
    .sort((a, b) => Number(b) - Number(a));
  for (const version of versions) {
    const bin = join(root, version, 'bin');
    if (existsSync(join(bin, 'initdb')) && existsSync(join(bin, 'pg_ctl'))) return bin;
  }
  return undefined;
}

const OS_USER = 'postgres';

function osUser(): { uid: number; gid: number } | undefined {
  const result = spawnSync('id', ['-u', OS_USER]);
  const group = spawnSync('id', ['-g', OS_USER]);
  if (result.status !== 0 || group.status !== 0) return undefined;
  return { uid: Number(String(result.stdout).trim()), gid: Number(String(group.stdout).trim()) };
}

/** initdb refuses to run as root: as root, the server's programs run as the `postgres` OS user. */
function asServerUser(program: string, args: string[]): [string, string[]] {
  return process.getuid?.() === 0 ? ['runuser', ['-u', OS_USER, '--', program, ...args]] : [program, args];
}

/** Whether a throwaway server can be made here, and if not, why. */
export function throwawayPostgresUnavailable(): string | undefined {
  if (!postgresBinaries()) return 'no PostgreSQL binaries under /usr/lib/postgresql/*/bin';
  if (process.getuid?.() === 0 && !osUser()) return `running as root and there is no "${OS_USER}" OS user to run initdb as`;
  return undefined;
}

const live = new Set<string>();
let exitHookInstalled = false;

/** A test process that dies must not leave a server running. */
function installExitHook(bin: string): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const dataDir of live) {
      const [program, args] = asServerUser(join(bin, 'pg_ctl'), ['-D', dataDir, 'stop', '-m', 'immediate', '-w']);
      spawnSync(program, args, { stdio: 'ignore' });
      rmSync(join(dataDir, '..'), { recursive: true, force: true });
    }
  });
}

export async function startThrowawayPostgres(): Promise<ThrowawayPostgres> {
  const bin = postgresBinaries();
  if (!bin) throw new Error('no PostgreSQL binaries under /usr/lib/postgresql/*/bin');
  const root = mkdtempSync(join(tmpdir(), 'clave-pg-'));
  const dataDir = join(root, 'data');
  const logFile = join(root, 'server.log');
  if (process.getuid?.() === 0) {
    const owner = osUser();
    if (!owner) throw new Error(`running as root and there is no "${OS_USER}" OS user to run initdb as`);
    chownSync(root, owner.uid, owner.gid);
  }
  const pgCtl = async (...args: string[]) => {
    const [program, argv] = asServerUser(join(bin, 'pg_ctl'), ['-D', dataDir, ...args]);
    try {
      await run(program, argv, { timeout: 60_000 });
    } catch (error) {
      const log = existsSync(logFile) ? readFileSync(logFile, 'utf8').slice(-2000) : '';
      throw new Error(`pg_ctl ${args.join(' ')} failed: ${(error as Error).message}\n${log}`);
    }
  };

  const [initdb, initArgs] = asServerUser(join(bin, 'initdb'), ['-D', dataDir, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--no-sync']);
  await run(initdb, initArgs, { timeout: 60_000 });
  const port = await freePort();
  // Settings live in the data directory, so a later `pg_ctl start` comes back on the same port.
  appendFileSync(
    join(dataDir, 'postgresql.conf'),
    [
      '',
      `port = ${port}`,
      "listen_addresses = '127.0.0.1'",
      `unix_socket_directories = '${root}'`,
      'fsync = off',
      'synchronous_commit = off',
      'full_page_writes = off',
      'max_connections = 100',
      '',
    ].join('\n'),
  );
  // The log file must be writable by the server's user.
  writeFileSync(logFile, '');
  if (process.getuid?.() === 0) {
    const owner = osUser()!;
    chownSync(logFile, owner.uid, owner.gid);
  }
  installExitHook(bin);
  live.add(dataDir);
  let running = false;
  let frozen: number[] = [];

  const server: ThrowawayPostgres = {
    port,
    dataDir,
    url: (database = 'postgres') => `postgres://postgres@127.0.0.1:${port}/${database}`,
    async createDatabase(name) {
      if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`not a plain database name: ${name}`);
      const client = new pg.Client({ connectionString: server.url() });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE ${name}`);
      } finally {
        await client.end();
      }
    },
    async stop() {
      await pgCtl('stop', '-m', 'fast', '-w');
      running = false;
    },
    async start() {
      await pgCtl('start', '-w', '-l', logFile);
      running = true;
    },
    async freeze() {
      // Only this server's own processes: its postmaster (from its pid file) and that postmaster's children.
      const postmaster = Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
      const { stdout } = await run('ps', ['-o', 'pid=', '--ppid', String(postmaster)]);
      const children = stdout.split(/\s+/).filter(Boolean).map(Number);
      frozen = [postmaster, ...children];
      for (const pid of frozen) process.kill(pid, 'SIGSTOP');
    },
    thaw() {
      for (const pid of frozen) {
        try {
          process.kill(pid, 'SIGCONT');
        } catch {
          // gone already
        }
      }
      frozen = [];
    },
    async destroy() {
      server.thaw();
      if (running) await pgCtl('stop', '-m', 'immediate', '-w').catch(() => undefined);
      running = false;
      live.delete(dataDir);
      rmSync(root, { recursive: true, force: true });
    },
  };
  try {
    await server.start();
  } catch (error) {
    await server.destroy();
    throw error;
  }
  return server;
}
