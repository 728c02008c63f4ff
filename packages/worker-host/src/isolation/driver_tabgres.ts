/*
 * driver_tabgres.ts — the isolation runner's driver for tabgres: a
 * postmaster (Postmaster.start) with one backend per connection, each test
 * session pinned to its backend (pm.connect()), as each isolationtester
 * session is one libpq connection.
 *
 * A step's SQL goes as one call: a single statement through the extended
 * protocol with array rows (so two columns of one name both print), a
 * script of several through exec (the simple protocol; rows by column
 * name, and an error loses the result sets before it, where libpq would
 * still print them).
 *
 * Values come back as JavaScript values; text is made again with the
 * type's output function (datumToText) for the types whose JavaScript value
 * is the Datum itself (bool, integers, floats, numeric, text, name, oid,
 * uuid) and for arrays of them. Other types print String(value): specs
 * should cast those to text.
 *
 * "Is this session blocked?" (rule 1 of runner.ts), in order of preference:
 *   1. pg_isolation_test_session_is_blocked(pid, pids), when the engine has it;
 *   2. pg_blocking_pids(pid) overlapping the test sessions' pids;
 *   3. neither: a step still running after graceMs counts as blocked. This
 *      fallback is timing-dependent (a slow machine sees a slow step as a
 *      wait); `blockMode` says which one a run used.
 *
 * Exports: TabgresDriver.
 */

import { PgError, datumToText } from '@tabgres/engine';
import type { Result } from '@tabgres/engine';
import { Postmaster } from '../index.ts';
import type { PostmasterCore, QueryPromise, Session } from '../postmaster.ts';
import { StatementSplitter } from '../splitter.ts';
import type { DriverConnection, IsolationDriver, StepMessage, StepOutcome, TextResult } from './driver.ts';

export type BlockMode = 'isolation_test_fn' | 'pg_blocking_pids' | 'grace';

export interface TabgresDriverOptions {
  /** Backends to start: at least the largest number of sessions in a spec, plus one (the control connection). */
  backends: number;
  /** The fallback's grace period (blockMode 'grace'), 1 s by default. */
  graceMs?: number;
  /** Force a block mode (tests of the runner); by default the best the engine offers. */
  blockMode?: BlockMode;
}

/** Whether the JavaScript value of this type is its Datum (tcop/jsvalue.ts passes these through). */
const IDENTITY_TYPES = new Set([16, 17, 19, 20, 21, 23, 25, 26, 700, 701, 1042, 1043, 1700, 2950]);

function arrayLiteral(v: unknown[], elem: (x: unknown) => string | null): string {
  const parts = v.map((x) => {
    if (Array.isArray(x)) return arrayLiteral(x, elem);
    const t = elem(x);
    if (t === null) return 'NULL';
    return t === '' || /[{},"\\\s]/.test(t) || t.toUpperCase() === 'NULL' ? `"${t.replace(/[\\"]/g, '\\$&')}"` : t;
  });
  return `{${parts.join(',')}}`;
}

/** The element type of the common array types (int2[], int4[], int8[], text[], bool[], numeric[], float[]). */
const ARRAY_ELEMENT: Record<number, number> = { 1000: 16, 1005: 21, 1007: 23, 1016: 20, 1009: 25, 1021: 700, 1022: 701, 1231: 1700, 1015: 1043, 1028: 26 };

export function valueToText(typeOid: number, v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (Array.isArray(v)) {
    const elem = ARRAY_ELEMENT[typeOid];
    return arrayLiteral(v, (x) => (x === null || x === undefined ? null : elem !== undefined ? valueToText(elem, x) : String(x)));
  }
  if (IDENTITY_TYPES.has(typeOid)) return datumToText(typeOid, v);
  return typeof v === 'string' ? v : String(v);
}

function toText(r: Result<unknown>, arrays: boolean): TextResult | null {
  if (r.fields.length === 0) return null;
  const fields = r.fields.map((f) => f.name);
  const rows = r.rows.map((row) => {
    const vals = arrays ? (row as unknown[]) : fields.map((n) => (row as Record<string, unknown>)[n]);
    return vals.map((v, j) => valueToText(r.fields[j].dataTypeID, v));
  });
  return { fields, rows };
}

function statementCount(sql: string): number {
  const sp = new StatementSplitter();
  let n = 0;
  for (const line of sql.split('\n')) n += sp.feed(line).statements.length;
  if (sp.flush() !== null) n++;
  return n;
}

function messageOf(e: unknown): StepMessage {
  if (e instanceof PgError) return { severity: e.severity, message: e.message };
  throw e;
}

class TabgresConnection implements DriverConnection {
  /** The call running now (for cancel) and when it began (the grace fallback). */
  inflight: QueryPromise<unknown> | null = null;
  startedAt = 0;

  constructor(
    readonly session: Session,
    /** pg_terminate_backend, for a call that a cancel does not end. */
    private readonly terminate: (pid: number) => void,
  ) {}

  get pid(): number {
    return this.session.pid;
  }

  async run(sql: string): Promise<StepOutcome> {
    this.startedAt = Date.now();
    const notices: StepMessage[] = [];
    const results: TextResult[] = [];
    let last: TextResult | null = null;
    const collect = (r: Result<unknown>, arrays: boolean): void => {
      for (const n of r.notices) notices.push({ severity: n.severity, message: n.message });
      last = toText(r, arrays);
      if (last !== null) results.push(last);
    };
    try {
      if (statementCount(sql) <= 1) {
        const p = this.session.query<unknown[]>(sql, [], { rowMode: 'array' });
        this.inflight = p;
        collect((await p) as Result<unknown>, true);
      } else {
        const p = this.session.exec(sql);
        this.inflight = p;
        for (const r of await p) collect(r as Result<unknown>, false);
      }
      return { results, last, error: null, notices };
    } catch (e) {
      return { results, last: null, error: messageOf(e), notices };
    } finally {
      this.inflight = null;
    }
  }

  /** Ends a call still running (a run that failed half-way): cancel, then terminate the backend after 5 s. */
  async close(): Promise<void> {
    const p = this.inflight;
    if (p !== null) {
      const settled = p.then(
        () => true,
        () => true,
      );
      const within = (ms: number): Promise<boolean> => Promise.race([settled, new Promise<boolean>((r) => setTimeout(() => r(false), ms).unref())]);
      p.cancel();
      if (!(await within(5000))) {
        this.terminate(this.pid);
        await within(5000);
      }
    }
    await this.session.release();
  }
}

export class TabgresDriver implements IsolationDriver {
  readonly name = 'tabgres';
  private readonly conns = new Map<number, TabgresConnection>();

  private constructor(
    private readonly pm: PostmasterCore,
    private readonly backends: number,
    readonly blockMode: BlockMode,
    private readonly graceMs: number,
  ) {}

  static async start(options: TabgresDriverOptions): Promise<TabgresDriver> {
    const pm = await Postmaster.start({ backends: options.backends, checkpointer: false });
    try {
      let mode = options.blockMode;
      if (mode === undefined) {
        const r = await pm.query<{ proname: string }>(
          "SELECT proname FROM pg_catalog.pg_proc WHERE proname IN ('pg_isolation_test_session_is_blocked', 'pg_blocking_pids')",
        );
        const names = new Set(r.rows.map((x) => x.proname));
        mode = names.has('pg_isolation_test_session_is_blocked') ? 'isolation_test_fn' : names.has('pg_blocking_pids') ? 'pg_blocking_pids' : 'grace';
      }
      return new TabgresDriver(pm, options.backends, mode, options.graceMs ?? 1000);
    } catch (e) {
      await pm.close();
      throw e;
    }
  }

  async connect(): Promise<DriverConnection> {
    // pm.connect() would queue forever for a backend nobody gives back.
    if (this.conns.size >= this.backends) throw new Error(`the tabgres driver was started with ${this.backends} backends; a spec needs one per session plus one`);
    const c = new TabgresConnection(await this.pm.connect(), (pid) => this.pm.terminate(pid));
    this.conns.set(c.pid, c);
    const close = c.close.bind(c);
    c.close = async () => {
      this.conns.delete(c.pid);
      await close();
    };
    return c;
  }

  async isBlocked(control: DriverConnection, pid: number, sessionPids: number[]): Promise<boolean> {
    const ctl = control as TabgresConnection;
    switch (this.blockMode) {
      case 'isolation_test_fn': {
        const r = await ctl.session.query<unknown[]>(`SELECT pg_catalog.pg_isolation_test_session_is_blocked($1, '{${sessionPids.join(',')}}')`, [pid], { rowMode: 'array' });
        return r.rows[0][0] === true;
      }
      case 'pg_blocking_pids': {
        const r = await ctl.session.query<unknown[]>('SELECT pg_catalog.pg_blocking_pids($1)', [pid], { rowMode: 'array' });
        const blockers = r.rows[0][0];
        return Array.isArray(blockers) && blockers.some((b) => sessionPids.includes(Number(b)));
      }
      case 'grace': {
        const c = this.conns.get(pid);
        return c !== undefined && c.inflight !== null && Date.now() - c.startedAt >= this.graceMs;
      }
    }
  }

  async cancel(_control: DriverConnection, pid: number): Promise<void> {
    this.conns.get(pid)?.inflight?.cancel();
  }

  async close(): Promise<void> {
    for (const c of [...this.conns.values()]) await c.close().catch(() => undefined);
    await this.pm.close();
  }
}
