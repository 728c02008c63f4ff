/*
 * driver_pg.ts — the isolation runner's driver for real PostgreSQL: a
 * throwaway PostgreSQL 15 server (initdb + pg_ctl into a temporary
 * directory, listening only on a unix socket there, fsync off) and the npm
 * `pg` client, one connection per session.
 *
 * The server is the reference the stored expected outputs come from
 * (expected/*.out); isolation_pg.test.ts starts one to check them again.
 *
 *   findPgBinaries()  PG_BINDIR, else /usr/lib/postgresql/15/bin; null with
 *                     the reason when initdb/pg_ctl/postgres are missing
 *   PgServer.start()  initdb -A trust --no-sync -E UTF8 --locale=C; pg_ctl
 *                     start -w with -k <tmp>/sock -p <a free port>
 *                     listen_addresses='' fsync=off autovacuum=off. As root
 *                     (postgres refuses to run as root) the server runs as
 *                     the `postgres` user through runuser.
 *   stop()            pg_ctl stop -m immediate, the directory removed
 *
 * Rows are asked for as text (every type parser is the identity), so they
 * print as libpq prints them. The blocked check is isolationtester's own:
 * pg_isolation_test_session_is_blocked(pid, '{session pids}').
 *
 * Exports: findPgBinaries, PgServer, PgDriver.
 */

import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { DriverConnection, IsolationDriver, StepMessage, StepOutcome, TextResult } from './driver.ts';

/** Where the PostgreSQL 15 binaries are, or why they cannot be used. */
export function findPgBinaries(): { bindir: string } | { skip: string } {
  const bindir = process.env.PG_BINDIR ?? '/usr/lib/postgresql/15/bin';
  for (const b of ['initdb', 'pg_ctl', 'postgres']) {
    if (!existsSync(join(bindir, b))) return { skip: `PostgreSQL binaries not found: ${join(bindir, b)} is missing (set PG_BINDIR)` };
  }
  if (process.getuid?.() === 0) {
    try {
      execFileSync('id', ['-u', 'postgres'], { stdio: 'ignore' });
      execFileSync('runuser', ['--help'], { stdio: 'ignore' });
    } catch {
      return { skip: 'running as root and there is no `postgres` user (or no runuser) to run the server as' };
    }
  }
  return { bindir };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export class PgServer {
  private constructor(
    private readonly bindir: string,
    private readonly dir: string,
    readonly socketDir: string,
    readonly port: number,
    private readonly asUser: string | null,
  ) {}

  private static run(bindir: string, asUser: string | null, cmd: string, args: string[]): void {
    const bin = join(bindir, cmd);
    if (asUser === null) execFileSync(bin, args, { stdio: 'pipe' });
    else execFileSync('runuser', ['-u', asUser, '--', bin, ...args], { stdio: 'pipe' });
  }

  /** initdb and start a server in a new temporary directory. */
  static async start(bindir: string): Promise<PgServer> {
    const asUser = process.getuid?.() === 0 ? 'postgres' : null;
    const dir = mkdtempSync(join(tmpdir(), 'tabgres-iso-pg-'));
    const data = join(dir, 'data');
    const sock = join(dir, 'sock');
    mkdirSync(data);
    mkdirSync(sock);
    if (asUser !== null) {
      const uid = Number(execFileSync('id', ['-u', asUser]).toString().trim());
      const gid = Number(execFileSync('id', ['-g', asUser]).toString().trim());
      for (const p of [dir, data, sock]) chownSync(p, uid, gid);
    }
    chmodSync(data, 0o700);
    const port = await freePort();
    const server = new PgServer(bindir, dir, sock, port, asUser);
    try {
      PgServer.run(bindir, asUser, 'initdb', ['-D', data, '-U', 'postgres', '-A', 'trust', '--no-sync', '-E', 'UTF8', '--locale=C']);
      const opts = `-k ${sock} -p ${port} -c listen_addresses='' -c fsync=off -c autovacuum=off -c shared_buffers=16MB -c max_connections=30`;
      PgServer.run(bindir, asUser, 'pg_ctl', ['-D', data, '-w', '-t', '60', '-l', join(dir, 'server.log'), '-o', opts, 'start']);
    } catch (e) {
      rmSync(dir, { recursive: true, force: true });
      const err = e as { stderr?: Buffer; message: string };
      throw new Error(`could not start PostgreSQL: ${err.stderr?.toString() ?? err.message}`);
    }
    return server;
  }

  stop(): void {
    try {
      PgServer.run(this.bindir, this.asUser, 'pg_ctl', ['-D', join(this.dir, 'data'), '-m', 'immediate', '-w', 'stop']);
    } finally {
      rmSync(this.dir, { recursive: true, force: true });
    }
  }
}

const textTypes = { getTypeParser: () => (v: string) => v };

function isDatabaseError(e: unknown): e is { severity: string; message: string } {
  return typeof e === 'object' && e !== null && typeof (e as { severity?: unknown }).severity === 'string';
}

class PgConnection implements DriverConnection {
  private collector: StepMessage[] | null = null;

  constructor(
    readonly client: pg.Client,
    readonly pid: number,
  ) {
    client.on('notice', (m) => this.collector?.push({ severity: m.severity ?? 'NOTICE', message: m.message ?? '' }));
  }

  async run(sql: string): Promise<StepOutcome> {
    const notices: StepMessage[] = [];
    this.collector = notices;
    try {
      const r: unknown = await this.client.query({ text: sql, rowMode: 'array', types: textTypes });
      const list = (Array.isArray(r) ? r : [r]) as pg.QueryArrayResult[];
      const results: TextResult[] = [];
      let last: TextResult | null = null;
      for (const one of list) {
        last = null;
        if (one.fields.length === 0) continue;
        last = { fields: one.fields.map((f) => f.name), rows: one.rows.map((row) => row.map((v) => (v === null ? null : String(v)))) };
        results.push(last);
      }
      return { results, last, error: null, notices };
    } catch (e) {
      if (!isDatabaseError(e)) throw e;
      return { results: [], last: null, error: { severity: e.severity, message: e.message }, notices };
    } finally {
      this.collector = null;
    }
  }

  async close(): Promise<void> {
    await this.client.end();
  }
}

export class PgDriver implements IsolationDriver {
  readonly name = 'pg';

  constructor(private readonly server: PgServer) {}

  async connect(): Promise<DriverConnection> {
    const client = new pg.Client({ host: this.server.socketDir, port: this.server.port, user: 'postgres', database: 'postgres' });
    await client.connect();
    const r = await client.query<[string]>({ text: 'SELECT pg_backend_pid()', rowMode: 'array', types: textTypes });
    return new PgConnection(client, Number(r.rows[0][0]));
  }

  async isBlocked(control: DriverConnection, pid: number, sessionPids: number[]): Promise<boolean> {
    const r = await (control as PgConnection).client.query<[string]>({
      text: `SELECT pg_catalog.pg_isolation_test_session_is_blocked($1, '{${sessionPids.join(',')}}')`,
      values: [pid],
      rowMode: 'array',
      types: textTypes,
    });
    return r.rows[0][0] === 't';
  }

  async cancel(control: DriverConnection, pid: number): Promise<void> {
    await (control as PgConnection).client.query({ text: 'SELECT pg_cancel_backend($1)', values: [pid] });
  }

  async close(): Promise<void> {
    // The server belongs to whoever started it.
  }
}
