/*
 * postmaster.ts — the postmaster (PostgreSQL's postmaster.c), platform-free:
 * it makes the shared memory, starts the backend workers, hands out
 * sessions, and after a backend's death restarts everything through
 * crash recovery.
 *
 * Exports: PostmasterCore (start, query, exec, connect, close), Session,
 *          PostmasterOptions
 *
 * The postmaster runs on the caller's thread and never touches shared
 * state itself (in the browser that thread cannot block): it only
 * allocates the segment (createSharedMemoryAndSemaphores) and sends
 * control messages (protocol.ts). The first backend of each start runs
 * initdb and startup/crash recovery before any other is let in.
 *
 * States:
 *
 *   starting ──all backends started──► running ──close()──► stopping ──► stopped
 *      ▲                                  │
 *      │                                  │ a worker exits unexpectedly
 *      └──── restart: new segment ◄── crashed: in-flight calls fail (57P01
 *            (crash recovery)              for the dead backend's caller, 57P02
 *                                          for the others), every worker ends
 *
 * Rules:
 *  1. A backend serves one session at a time. A session (connect()) holds
 *     its backend until release(); query() and exec() hold one for a
 *     single call. Callers that find every backend busy wait in FIFO order.
 *  2. A released backend is reset (an open transaction block rolls back,
 *     settings return to their defaults) before the next session gets it,
 *     as a new connection starts clean.
 *  3. Shared memory is never reused after a backend died: the others may
 *     have been stopped in the middle of changing it. The restart makes a
 *     new segment and runs crash recovery from the WAL, which holds every
 *     committed transaction (commit flushes WAL before it returns).
 *  4. A session that was on a backend when it crashed is dead: its calls
 *     fail from then on, as a broken connection's do. Other callers see
 *     nothing but a delay while the instance restarts.
 *  5. close() waits for every session and queued caller, then detaches the
 *     backends, the first one last with the shutdown checkpoint.
 *  6. Cancel and terminate never go through a message (the backend is busy
 *     running the statement): they are words in the backend's proc-array
 *     slot (storage/ipc/procsignal.ts), written with Atomics and never
 *     waited on, the only shared state the postmaster touches (kill()'s
 *     equivalent). A call's cancel() names the call by its key, so it
 *     cannot cancel a later statement of the same backend.
 *  7. A backend that exits with code 0 left the instance cleanly (it was
 *     terminated): it is not a crash; its session is dead (57P01) and a
 *     fresh backend takes its place.
 */

import {
  DEFAULT_AUTOVACUUM_SETTINGS, DEFAULT_SHARED_BUFFERS, DEFAULT_WAL_BUFFERS, MAX_BACKENDS, PROCSIG_CANCEL, PROCSIG_DIE, PgError, createSharedMemoryAndSemaphores,
  requestAuxiliaryShutdown, requestCheckpointerShutdown, sendProcSignal, xlogStatsOf, type QueryOptions, type Result, type Shmem,
  type XLogStats, type AutovacuumSettings,
} from '@tabgres/engine';
import type { Remote } from 'comlink';
import { isReply, type AuxiliaryApi, type BackendRole, type BackendStarted, type Reply, type WireError } from './protocol.ts';
import type { Platform, WorkerHandle } from './platform.ts';

export interface PostmasterOptions {
  /** The data directory (created and initialized if empty); a temporary one, removed at close(), when absent. */
  dataDir?: string;
  /** Backend workers (max_connections); 2 by default. */
  backends?: number;
  /** shared_buffers, in 8 KB pages. */
  sharedBuffers?: number;
  /**
   * Run a checkpointer process (true by default): checkpoints (CHECKPOINT,
   * WAL volume, checkpoint_timeout, the shutdown checkpoint) run in their
   * own worker instead of in whichever backend found one due.
   */
  checkpointer?: boolean;
  /** Run a background writer (bgwriter_delay 200 ms, bgwriter_lru_maxpages 100); off by default. */
  bgwriter?: boolean;
  /** Run a WAL writer (wal_writer_delay 200 ms), for asynchronous commits; off by default. */
  walwriter?: boolean;
  /**
   * Run the autovacuum launcher (true by default, PostgreSQL's autovacuum):
   * every autovacuumNaptimeMs (autovacuum_naptime, 60 s) it reads the
   * shared table statistics and logs which tables would need vacuuming;
   * no autovacuum worker exists yet, so it vacuums nothing
   * (engine postmaster/autovacuum.ts).
   */
  autovacuum?: boolean;
  autovacuumNaptimeMs?: number;
  /** autovacuum_vacuum_threshold (50) and autovacuum_vacuum_scale_factor (0.2). */
  autovacuumVacuumThreshold?: number;
  autovacuumVacuumScaleFactor?: number;
  /** checkpoint_timeout in milliseconds (5 minutes by default). */
  checkpointTimeoutMs?: number;
  /** commit_delay in microseconds (0 by default) and commit_siblings (5): see xlog.ts's flush(). */
  commitDelayUs?: number;
  commitSiblings?: number;
  /** false makes every commit flush only its own record (benchmarks only: group commit off). */
  groupCommit?: boolean;
}

/** SQLSTATEs the postmaster raises itself. */
const ADMIN_SHUTDOWN = '57P01';
const CRASH_SHUTDOWN = '57P02';

/** PostgreSQL's words for the callers of the backends the postmaster stops after a crash. */
function crashShutdownError(): PgError {
  return new PgError(CRASH_SHUTDOWN, 'terminating connection because of crash of another server process', {
    severity: 'FATAL',
    detail: 'The postmaster has commanded this server process to roll back the current transaction and exit, because another server process exited abnormally and possibly corrupted shared memory.',
    hint: 'In a moment you should be able to reconnect to the database and repeat your command.',
  });
}

function adminShutdownError(): PgError {
  return new PgError(ADMIN_SHUTDOWN, 'terminating connection due to administrator command', { severity: 'FATAL' });
}

function backendDiedError(pid: number, code: number): PgError {
  return new PgError(ADMIN_SHUTDOWN, 'terminating connection because its server process exited unexpectedly', {
    severity: 'FATAL',
    detail: `Server process ${pid} exited with exit code ${code}; the current transaction was rolled back.`,
    hint: 'In a moment you should be able to reconnect to the database and repeat your command.',
  });
}

function fromWire(e: WireError): PgError {
  const fields: ConstructorParameters<typeof PgError>[2] = { severity: e.severity as 'ERROR' };
  if (e.detail !== undefined) fields.detail = e.detail;
  if (e.hint !== undefined) fields.hint = e.hint;
  if (e.position !== undefined) fields.position = e.position;
  if (e.where !== undefined) fields.where = e.where;
  if (e.table !== undefined) fields.table = e.table;
  if (e.column !== undefined) fields.column = e.column;
  if (e.constraint !== undefined) fields.constraint = e.constraint;
  return new PgError(e.code, e.message, fields);
}

/** How a call's cancel() finds the call: its backend and key while it runs. */
interface CallCancel {
  slot: BackendSlot | null;
  key: number;
  cancelled: boolean;
}

type PostmasterState = 'starting' | 'running' | 'crashed' | 'stopping' | 'stopped';

/** One backend slot: its worker and who holds it. */
interface BackendSlot {
  readonly index: number;
  readonly pid: number;
  readonly worker: WorkerHandle;
  /** The reject functions of the calls in flight on this backend, failed when its worker exits. */
  readonly inflight: Set<(e: unknown) => void>;
  /** Why the worker is gone (calls after its exit fail with it at once), or null while it lives. */
  gone: PgError | null;
  busy: boolean;
  /** The instance generation this backend belongs to (bumped at every restart). */
  readonly generation: number;
  /** A backend, or which auxiliary process. */
  readonly role: BackendRole;
}

/**
 * The promise of a running call, with cancel(): the statement running for
 * it ends with 57014 "canceling statement due to user request" (a call
 * still queued for a backend is rejected so, without running).
 */
export interface QueryPromise<T> extends Promise<T> {
  cancel(): void;
}

/** A session pinned to one backend until release() (a connection). */
export interface Session {
  readonly pid: number;
  query<R = Record<string, unknown>>(sql: string, params?: unknown[], opts?: QueryOptions): QueryPromise<Result<R>>;
  exec(sql: string): QueryPromise<Result[]>;
  /** Gives the backend back (an open transaction rolls back); the session cannot be used after. */
  release(): Promise<void>;
}

export class PostmasterCore {
  private state: PostmasterState = 'starting';
  private readonly nbackends: number;
  private readonly sharedBuffers: number;
  private readonly dataDir: string;
  private readonly removeDataDir: (() => void) | null;
  private slots: BackendSlot[] = [];
  private readonly withCheckpointer: boolean;
  private readonly checkpointTimeoutMs: number | undefined;
  /** The WAL settings shared memory is made with (commit_delay, commit_siblings, group commit). */
  private readonly walSettings: { commitDelayUs?: number; commitSiblings?: number; groupCommit?: boolean };
  /** The checkpointer worker of this generation, or null. */
  private checkpointer: BackendSlot | null = null;
  /** The background writer and WAL writer workers of this generation. */
  private writers: BackendSlot[] = [];
  private readonly writerRoles: BackendRole[];
  private readonly autovacuumSettings: AutovacuumSettings;
  /** Callers waiting for a free backend (rule 1), oldest first. */
  private readonly waiters: { resolve: (slot: BackendSlot) => void; reject: (e: unknown) => void }[] = [];
  /** Settles when the running restart (or the first start) is done. */
  private ready: Promise<void> = Promise.resolve();
  private generation = 0;
  private nextPid = 10_000;
  /** Times the instance was restarted after a crash, and whether the last startup replayed WAL. */
  restarts = 0;
  lastStartupRecovered = false;

  private constructor(private readonly platform: Platform, options: PostmasterOptions) {
    this.nbackends = options.backends ?? 2;
    if (!Number.isInteger(this.nbackends) || this.nbackends < 1 || this.nbackends > MAX_BACKENDS - 1) {
      throw new PgError('22023', `backends must be between 1 and ${MAX_BACKENDS - 1}`);
    }
    this.sharedBuffers = options.sharedBuffers ?? DEFAULT_SHARED_BUFFERS;
    this.withCheckpointer = options.checkpointer ?? true;
    this.checkpointTimeoutMs = options.checkpointTimeoutMs;
    this.walSettings = {
      ...(options.commitDelayUs !== undefined ? { commitDelayUs: options.commitDelayUs } : {}),
      ...(options.commitSiblings !== undefined ? { commitSiblings: options.commitSiblings } : {}),
      ...(options.groupCommit !== undefined ? { groupCommit: options.groupCommit } : {}),
    };
    this.writerRoles = [
      ...(options.bgwriter === true ? ['bgwriter' as const] : []), ...(options.walwriter === true ? ['walwriter' as const] : []),
      ...(options.autovacuum !== false ? ['autovacuum' as const] : []),
    ];
    this.autovacuumSettings = {
      naptimeMs: options.autovacuumNaptimeMs ?? DEFAULT_AUTOVACUUM_SETTINGS.naptimeMs,
      vacuumThreshold: options.autovacuumVacuumThreshold ?? DEFAULT_AUTOVACUUM_SETTINGS.vacuumThreshold,
      vacuumScaleFactor: options.autovacuumVacuumScaleFactor ?? DEFAULT_AUTOVACUUM_SETTINGS.vacuumScaleFactor,
    };
    // Every auxiliary process takes a proc-array slot too.
    const auxiliaries = this.writerRoles.length + (this.withCheckpointer ? 1 : 0);
    if (this.nbackends > MAX_BACKENDS - auxiliaries) {
      throw new PgError('22023', `backends must be between 1 and ${MAX_BACKENDS - auxiliaries}`);
    }
    if (options.dataDir !== undefined) {
      this.dataDir = options.dataDir;
      this.removeDataDir = null;
    } else {
      const tmp = platform.makeTempDataDir();
      this.dataDir = tmp.path;
      this.removeDataDir = tmp.remove;
    }
  }

  /** PostmasterMain: shared memory, startup (initdb, recovery), then the backends. */
  static async start(platform: Platform, options: PostmasterOptions = {}): Promise<PostmasterCore> {
    const pm = new PostmasterCore(platform, options);
    pm.ready = pm.startInstance();
    try {
      await pm.ready;
    } catch (e) {
      await pm.stopWorkers();
      pm.state = 'stopped';
      pm.removeDataDir?.();
      throw e;
    }
    return pm;
  }

  /** The pids of the running backends (pg_stat_activity's). */
  get backendPids(): number[] {
    return this.slots.map((s) => s.pid);
  }

  /**
   * The current generation's shared-memory segment (a new one after a crash
   * restart), for read-only viewers on the postmaster's thread (the
   * playground's internals views: Atomics loads only, never a lock, rule 6).
   */
  get sharedMemory(): Shmem | null {
    return this.segment;
  }

  /** The data directory the instance runs on. */
  get directory(): string {
    return this.dataDir;
  }

  /**
   * pg_stat_wal's counters of the current segment (reset by a crash
   * restart), read without a lock: Atomics loads only, so the postmaster's
   * thread never waits (rule 6's exception, read-only).
   */
  walStats(): XLogStats | null {
    return this.segment === null ? null : xlogStatsOf(this.segment);
  }

  /** One statement with $1..$n parameters on any free backend; cancel() ends it (57014). */
  query<R = Record<string, unknown>>(sql: string, params: unknown[] = [], opts: QueryOptions = {}): QueryPromise<Result<R>> {
    return this.cancellable((c) => this.onFreeBackend(c, (slot, key) => slot.worker.api.query(sql, params, opts, key))) as QueryPromise<Result<R>>;
  }

  /** A script of statements (the simple protocol) on any free backend; throws the first error; cancel() ends it. */
  exec(sql: string): QueryPromise<Result[]> {
    return this.cancellable((c) => this.onFreeBackend(c, (slot, key) => slot.worker.api.exec(sql, key)));
  }

  /** pg_cancel_backend from outside: the statement the backend with this pid runs ends with 57014. */
  cancel(pid: number): boolean {
    return this.signal(pid, PROCSIG_CANCEL, 0);
  }

  /** pg_terminate_backend from outside: the backend's session ends (57P01); a fresh backend replaces it. */
  terminate(pid: number): boolean {
    return this.signal(pid, PROCSIG_DIE, 0);
  }

  private signal(pid: number, bits: number, key: number): boolean {
    if (this.segment === null || this.state !== 'running') return false;
    return sendProcSignal(this.segment, pid, bits, key);
  }

  /** A call's promise with cancel() (rule 6). */
  private cancellable<T>(run: (c: CallCancel) => Promise<T>): QueryPromise<T> {
    const c: CallCancel = { slot: null, key: 0, cancelled: false };
    const p = run(c) as QueryPromise<T>;
    p.cancel = () => {
      c.cancelled = true;
      if (c.slot !== null && c.key !== 0) this.signal(c.slot.pid, 0, c.key);
    };
    return p;
  }

  private async onFreeBackend<T>(c: CallCancel, invoke: (slot: BackendSlot, key: number) => Promise<Reply<T>>): Promise<T> {
    const slot = await this.acquire();
    try {
      return await this.callCancellable(slot, c, invoke);
    } finally {
      this.releaseSlot(slot, false);
    }
  }

  /** One call that cancel() can reach: its key goes with the message. */
  private callCancellable<T>(slot: BackendSlot, c: CallCancel, invoke: (slot: BackendSlot, key: number) => Promise<Reply<T>>): Promise<T> {
    if (c.cancelled) return Promise.reject(new PgError('57014', 'canceling statement due to user request'));
    const key = this.nextCancelKey;
    this.nextCancelKey = this.nextCancelKey >= 0x7fffffff ? 1 : this.nextCancelKey + 1;
    c.slot = slot;
    c.key = key;
    return this.call(slot, () => invoke(slot, key)).finally(() => {
      c.key = 0;
    });
  }

  /** A session pinned to one backend until release(), for multi-statement transactions (rule 1). */
  async connect(): Promise<Session> {
    const slot = await this.acquire();
    let released = false;
    let dead: PgError | null = null;
    const check = (): void => {
      if (released) throw new PgError('08003', 'the session was released');
      if (dead !== null) throw dead;
      if (slot.gone !== null) {
        dead = slot.gone;
        throw dead;
      }
      if (slot.generation !== this.generation) {
        // Rule 4: the instance restarted under this session.
        dead = crashShutdownError();
        throw dead;
      }
    };
    const guard = async <T>(fn: () => Promise<T>): Promise<T> => {
      check();
      try {
        return await fn();
      } catch (e) {
        if (e instanceof PgError && (e.code === ADMIN_SHUTDOWN || e.code === CRASH_SHUTDOWN) && e.severity === 'FATAL') dead = e;
        throw e;
      }
    };
    return {
      pid: slot.pid,
      query: <R>(sql: string, params: unknown[] = [], opts: QueryOptions = {}) =>
        this.cancellable((c) => guard(async () => (await this.callCancellable(slot, c, (s, key) => s.worker.api.query(sql, params, opts, key))) as Result<R>)),
      exec: (sql: string) => this.cancellable((c) => guard(() => this.callCancellable(slot, c, (s, key) => s.worker.api.exec(sql, key)))),
      release: async () => {
        if (released) return;
        released = true;
        this.releaseSlot(slot, true);
      },
    };
  }

  /**
   * Shutdown (rule 5): waits for sessions and queued callers, detaches the
   * backends, writes the shutdown checkpoint, ends the workers.
   */
  async close(): Promise<void> {
    if (this.state === 'stopping' || this.state === 'stopped') return;
    // Wait until every backend is idle and nobody queues: take each one in turn.
    for (;;) {
      await this.ready.catch(() => undefined);
      const held: BackendSlot[] = [];
      try {
        for (let i = 0; i < this.nbackends; i++) held.push(await this.acquire());
      } catch (e) {
        for (const s of held) this.releaseSlot(s, false);
        // A restart that failed left nothing running to shut down.
        if (this.currentState() === 'stopped') {
          this.removeDataDir?.();
          throw e;
        }
        continue;
      }
      if (held.every((s) => s.generation === this.generation) && this.currentState() === 'running') break;
      for (const s of held) this.releaseSlot(s, false);
    }
    this.state = 'stopping';
    const slots = this.slots;
    const ckpt = this.checkpointer;
    for (let i = slots.length - 1; i >= 1; i--) await this.call(slots[i], () => slots[i].worker.api.shutdown({ checkpoint: false }));
    await this.call(slots[0], () => slots[0].worker.api.shutdown({ checkpoint: ckpt === null }));
    // The writers leave first, then the checkpointer writes the shutdown checkpoint and exits.
    const writers = this.writers.filter((w) => w.gone === null);
    if (writers.length > 0) {
      const exited = writers.map((w) => new Promise<void>((resolve) => w.worker.onExit(() => resolve())));
      requestAuxiliaryShutdown(this.segment as Shmem);
      await Promise.all(exited);
    }
    if (ckpt !== null && ckpt.gone === null) {
      // Every backend has left: the checkpointer writes the shutdown checkpoint and exits.
      const exited = new Promise<void>((resolve) => ckpt.worker.onExit(() => resolve()));
      requestCheckpointerShutdown(this.segment as Shmem);
      await exited;
    }
    await this.stopWorkers();
    this.state = 'stopped';
    for (const w of this.waiters.splice(0)) w.reject(adminShutdownError());
    this.platform.stop?.();
    this.removeDataDir?.();
  }

  /** The state now (a method, so a check after an await is not narrowed by one before it). */
  private currentState(): PostmasterState {
    return this.state;
  }

  /** For tests of crash restart: the worker of the backend with this pid. */
  workerOf(pid: number): WorkerHandle | undefined {
    return this.slots.find((s) => s.pid === pid)?.worker;
  }

  // ---------------------------------------------------------------- backends

  /** Rule 1: the first free backend, or a place in the queue. */
  private async acquire(): Promise<BackendSlot> {
    if (this.state === 'stopping' || this.state === 'stopped') {
      throw new PgError(ADMIN_SHUTDOWN, 'terminating connection due to administrator command', { severity: 'FATAL' });
    }
    if (this.state === 'running') {
      for (const s of this.slots) {
        if (!s.busy) {
          s.busy = true;
          return s;
        }
      }
    }
    return new Promise<BackendSlot>((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  /** Gives a backend back: reset it first after a session (rule 2), then to the oldest waiter. */
  private releaseSlot(slot: BackendSlot, reset: boolean): void {
    // A backend that is gone was replaced (rule 7) or the instance restarts: nothing to give back.
    if (slot.generation !== this.generation || slot.gone !== null) return;
    const handOver = (): void => {
      if (slot.generation !== this.generation || this.state !== 'running') return;
      const w = this.waiters.shift();
      if (w !== undefined) w.resolve(slot);
      else slot.busy = false;
    };
    if (!reset) {
      handOver();
      return;
    }
    // A reset that failed on a live backend still hands it over (the next session's first
    // statement reports what is wrong); a dead one is replaced by the restart instead.
    this.call(slot, () => slot.worker.api.resetSession()).then(handOver, () => {
      if (slot.gone === null) handOver();
    });
  }

  /** Hands free backends to waiters (after a start or restart). */
  private dispatch(): void {
    for (const s of this.slots) {
      if (this.waiters.length === 0) return;
      if (!s.busy) {
        s.busy = true;
        (this.waiters.shift() as { resolve: (slot: BackendSlot) => void }).resolve(s);
      }
    }
  }

  /** One call on a backend: the reply's value, its error as a PgError, or the death of the worker. */
  private call<T>(slot: BackendSlot, fn: () => Promise<Reply<T>>): Promise<T> {
    if (slot.gone !== null) return Promise.reject(slot.gone);
    return new Promise<T>((resolve, reject) => {
      slot.inflight.add(reject);
      fn().then(
        (reply: unknown) => {
          slot.inflight.delete(reject);
          // The boundary: a reply is checked before it is believed (protocol.ts).
          if (!isReply(reply)) reject(new PgError('08P01', `invalid reply from backend process ${slot.pid}`));
          else if (reply.ok) resolve(reply.value as T);
          else reject(fromWire(reply.error));
        },
        (e: unknown) => {
          slot.inflight.delete(reject);
          reject(e);
        },
      );
    });
  }

  /** Starts a backend worker; its exit outside a shutdown is a crash (rule 3). */
  private spawn(index: number, generation: number, role: BackendRole = 'backend'): BackendSlot {
    const pid = this.nextPid++;
    const worker = this.platform.spawnBackend({
      shmem: this.shmem as SharedArrayBuffer, dataDir: this.dataDir, pid, role,
      ...(role === 'autovacuum' ? { autovacuum: this.autovacuumSettings } : {}),
    });
    const slot: BackendSlot = { index, pid, worker, inflight: new Set(), gone: null, busy: true, generation, role };
    worker.onExit((code) => {
      const expected = generation !== this.generation || this.state === 'stopping' || this.state === 'stopped';
      // Rule 7: exit(0) is a backend that left cleanly after pg_terminate_backend (the checkpointer
      // never leaves on its own while the instance runs: any exit of it is a crash).
      const terminated = !expected && code === 0 && role === 'backend';
      slot.gone = expected ? crashShutdownError() : terminated ? adminShutdownError() : backendDiedError(pid, code);
      const calls = [...slot.inflight];
      slot.inflight.clear();
      for (const reject of calls) reject(slot.gone);
      if (terminated) this.replace(slot);
      else if (!expected) this.crashed(slot);
    });
    return slot;
  }

  /** Rule 7: a fresh backend in a terminated one's place, handed to waiters once it has attached. */
  private replace(old: BackendSlot): void {
    if (this.state !== 'running' || this.slots[old.index] !== old) return;
    const slot = this.spawn(old.index, old.generation);
    this.slots[old.index] = slot;
    this.replacements++;
    this.call(slot, () => slot.worker.api.start({ startup: false })).then(() => {
      if (slot.generation !== this.generation || this.state !== 'running') return;
      slot.busy = false;
      this.dispatch();
    }, () => {
      // A replacement that cannot attach exits(1): its exit listener restarts the instance.
    });
  }

  private shmem: SharedArrayBuffer | null = null;
  /** The same segment, for the signal words (rule 6). */
  private segment: Shmem | null = null;
  private nextCancelKey = 1;
  /** Backends started in place of terminated ones (rule 7). */
  replacements = 0;

  /** Shared memory, then the startup backend, then the rest (PostmasterMain + reaper's restart). */
  private async startInstance(): Promise<void> {
    this.state = 'starting';
    const generation = ++this.generation;
    this.segment = createSharedMemoryAndSemaphores({
      sharedBuffers: this.sharedBuffers, walBuffers: DEFAULT_WAL_BUFFERS,
      ...(this.checkpointTimeoutMs !== undefined ? { checkpointTimeoutMs: this.checkpointTimeoutMs } : {}),
      ...this.walSettings,
    });
    this.shmem = this.segment.sab;
    const slots: BackendSlot[] = [];
    for (let i = 0; i < this.nbackends; i++) slots.push(this.spawn(i, generation));
    this.slots = slots;
    const first: BackendStarted = await this.call(slots[0], () => slots[0].worker.api.start({ startup: true }));
    this.lastStartupRecovered = first.recoveryPerformed;
    await Promise.all(slots.slice(1).map((s) => this.call(s, () => s.worker.api.start({ startup: false }))));
    if (this.withCheckpointer && generation === this.generation) {
      // The checkpointer attaches after startup (the end-of-recovery checkpoint is the startup backend's).
      const ckpt = this.spawn(-1, generation, 'checkpointer');
      this.checkpointer = ckpt;
      const api = ckpt.worker.api as unknown as Remote<AuxiliaryApi>; // the same comlink proxy, the auxiliary's methods
      await this.call(ckpt, () => api.start());
    }
    if (generation === this.generation) {
      const writers = this.writerRoles.map((role) => this.spawn(-1, generation, role));
      this.writers = writers;
      await Promise.all(writers.map((w) => this.call(w, () => (w.worker.api as unknown as Remote<AuxiliaryApi>).start())));
    }
    if (generation !== this.generation) return;
    for (const s of slots) s.busy = false;
    this.state = 'running';
    this.dispatch();
  }

  /**
   * A backend died (reaper + HandleChildCrash): every other worker ends,
   * their callers get 57P02 (the dead one's 57P01, from spawn's exit
   * listener), and the instance restarts on a new segment through crash
   * recovery. Waiting callers are served by the restarted backends.
   */
  private crashed(slot: BackendSlot): void {
    // A death while starting fails the start itself (its calls reject): no restart loop.
    if (this.state !== 'running' || slot.generation !== this.generation) return;
    this.state = 'crashed';
    this.restarts++;
    const old = this.allWorkers();
    this.checkpointer = null;
    this.writers = [];
    this.generation++;
    this.ready = (async () => {
      await Promise.all(old.filter((s) => s !== slot).map((s) => s.worker.terminate().catch(() => undefined)));
      await this.startInstance();
    })();
    this.ready.catch(async (e: unknown) => {
      this.state = 'stopped';
      for (const w of this.waiters.splice(0)) w.reject(e);
      await this.stopWorkers();
    });
  }

  private async stopWorkers(): Promise<void> {
    await Promise.all(this.allWorkers().map((s) => s.worker.terminate().catch(() => undefined)));
  }

  private allWorkers(): BackendSlot[] {
    return [...this.slots, ...(this.checkpointer !== null ? [this.checkpointer] : []), ...this.writers];
  }

  /** The pids of the background writer and WAL writer workers, by role. */
  get auxiliaryPids(): Partial<Record<BackendRole, number>> {
    const out: Partial<Record<BackendRole, number>> = {};
    if (this.checkpointer !== null) out.checkpointer = this.checkpointer.pid;
    for (const w of this.writers) out[w.role] = w.pid;
    return out;
  }

  /** The checkpointer's pid, or null when the instance runs without one. */
  get checkpointerPid(): number | null {
    return this.checkpointer?.pid ?? null;
  }
}
