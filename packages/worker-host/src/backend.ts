/*
 * backend.ts — one backend worker's main, platform-free (PostgreSQL's
 * PostgresMain after fork): the BackendApi object the worker exposes to
 * the postmaster (protocol.ts), over a Database attached to the
 * postmaster's shared memory.
 *
 * Exports: makeBackendApi(boot, dir, exit)
 *
 * The platform file (backend_node.ts; a Web Worker's later) makes the data
 * directory's file layer and the comlink endpoint; everything else is
 * here. States of the backend:
 *
 *   booted ──start()──► running ──shutdown()──► gone
 *                         │
 *                         ├── pg_terminate_backend (FATAL 57P01 in a
 *                         │   statement, or seen while idle): roll back,
 *                         │   detach, exit(0); the postmaster starts a
 *                         │   fresh backend in its place
 *                         │
 *                         └── PANIC, or start() failed ──► exit(1): the
 *                             postmaster sees the worker die and restarts
 *                             the instance through crash recovery
 *
 * While idle the worker watches its interrupt word with Atomics.waitAsync
 * (storage/ipc/procsignal.ts): a terminate ends the backend at once, as
 * SIGTERM ends an idle PostgreSQL backend; a cancel is dropped.
 */

import { DEFAULT_AUTOVACUUM_SETTINGS, Database, StorageEngine, autoVacLauncherMain, isPgError, type QueryOptions, type Result } from '@tabgres/engine';
import type { StorageDirectory } from '@tabgres/opfs-storage';
import type { AuxiliaryApi, BackendApi, BackendBoot, BackendStarted, Reply, WireError } from './protocol.ts';

function toWire(e: unknown): WireError {
  if (isPgError(e)) {
    const w: WireError = { code: e.code, message: e.message, severity: e.severity };
    if (e.detail !== undefined) w.detail = e.detail;
    if (e.hint !== undefined) w.hint = e.hint;
    if (e.position !== undefined) w.position = e.position;
    if (e.where !== undefined) w.where = e.where;
    if (e.table !== undefined) w.table = e.table;
    if (e.column !== undefined) w.column = e.column;
    if (e.constraint !== undefined) w.constraint = e.constraint;
    return w;
  }
  const message = e instanceof Error ? e.message : String(e);
  return { code: 'XX000', message, severity: 'ERROR', ...(e instanceof Error && e.stack !== undefined ? { detail: e.stack } : {}) };
}

/**
 * The worker's API. `exit(code)` ends the worker; it is called after a
 * PANIC (shared memory may be corrupt: the postmaster must restart
 * everything) once the reply carrying the error has been sent.
 */
export function makeBackendApi(boot: BackendBoot, dir: StorageDirectory, exit: (code: number) => void): BackendApi {
  let db: Database | null = null;

  function running(): Database {
    if (db === null) throw new Error('the backend has not started (start() first) or has shut down');
    return db;
  }

  /** proc_exit(0) after a terminate: the transaction rolls back, the slot is left cleanly. */
  function die(): void {
    const d = db;
    db = null;
    try {
      d?.detachSync();
    } catch {
      // A failure to leave cleanly is a crash: shared memory may be inconsistent.
      setTimeout(() => exit(1), 0);
      return;
    }
    setTimeout(() => exit(0), 0);
  }

  function call<T>(fn: () => T): Reply<T> {
    try {
      return { ok: true, value: fn() };
    } catch (e) {
      // A PANIC closed the engine: this process must die so the postmaster reinitializes shared memory.
      const panic = (isPgError(e) && e.severity === 'PANIC') || (db !== null && db.engine.isClosed);
      if (panic) setTimeout(() => exit(1), 0);
      const terminated = !panic && db !== null && db.engine.procSignal.diePending;
      if (terminated) die();
      return { ok: false, error: toWire(e), fatal: panic || terminated };
    }
  }

  /** The idle watcher: wakes when the interrupt word changes between messages. */
  function watchInterrupts(): void {
    const d = db;
    if (d === null) return;
    const sig = d.engine.procSignal;
    if (sig.diePending) {
      die();
      return;
    }
    sig.clearIdleCancel();
    const waitAsync = (Atomics as unknown as { waitAsync?: (a: Int32Array, i: number, v: number) => { async: boolean; value: Promise<string> | string } }).waitAsync;
    if (waitAsync === undefined) return; // no idle watch: a terminate is seen at the next message
    const r = waitAsync(sig.i32, sig.interruptWordIndex, Atomics.load(sig.i32, sig.interruptWordIndex));
    if (r.async) void (r.value as Promise<string>).then(watchInterrupts);
    else setTimeout(watchInterrupts, 0);
  }

  return {
    start(o: { startup: boolean }): Reply<BackendStarted> {
      const r = call(() => {
        db = Database.attachSync({ dir, shmem: boot.shmem, startup: o.startup, pid: boot.pid });
        setTimeout(watchInterrupts, 0);
        return { pid: boot.pid, recoveryPerformed: o.startup ? db.engine.startup.recoveryPerformed : false };
      });
      if (!r.ok) setTimeout(() => exit(1), 0);
      return r;
    },
    query(sql: string, params: unknown[], opts: QueryOptions, cancelKey: number): Reply<Result> {
      return call(() => {
        const d = running();
        d.cancelKey = cancelKey;
        return d.querySync(sql, params, opts);
      });
    },
    exec(sql: string, cancelKey: number): Reply<Result[]> {
      return call(() => {
        const d = running();
        d.cancelKey = cancelKey;
        return d.execSync(sql);
      });
    },
    resetSession(): Reply<null> {
      return call(() => {
        const d = running();
        if (d.backend.transactionStatus !== 'I') d.execSync('ROLLBACK');
        d.execSync('RESET ALL');
        // The session ended for its client: its session-level advisory locks go with it (DISCARD ALL does the same).
        d.execSync('SELECT pg_advisory_unlock_all()');
        return null;
      });
    },
    shutdown(o: { checkpoint: boolean }): Reply<null> {
      return call(() => {
        const d = db;
        db = null;
        if (d !== null) {
          if (o.checkpoint) d.closeSync();
          else d.detachSync();
        }
        return null;
      });
    },
  };
}

/** 2000-01-01 00:00 UTC in Unix milliseconds: timestamps in shared memory count µs from it. */
const POSTGRES_EPOCH_MS = 946_684_800_000n;

/** pg_stat_activity.backend_type of each auxiliary role. */
const AUXILIARY_BACKEND_TYPE = {
  backend: 'client backend', checkpointer: 'checkpointer', bgwriter: 'background writer', walwriter: 'walwriter',
  autovacuum: 'autovacuum launcher',
} as const;

/**
 * An auxiliary worker (PostgreSQL's AuxiliaryProcessMain): a StorageEngine
 * attached to the segment, without catalogs or sessions. After start() has
 * replied, its loop owns the thread until the postmaster's shutdown word:
 * the checkpointer (CheckpointerMain) then writes the shutdown checkpoint,
 * the background writer (BackgroundWriterMain), WAL writer
 * (WalWriterMain) and autovacuum launcher (AutoVacLauncherMain) detach; it exits(0). An error in a loop is a crash:
 * exit(1).
 */
export function makeAuxiliaryApi(boot: BackendBoot, dir: StorageDirectory, exit: (code: number) => void): AuxiliaryApi {
  return {
    start(): Reply<{ pid: number }> {
      let engine: StorageEngine;
      try {
        engine = StorageEngine.attach({ dir, shmem: boot.shmem, startup: false, pid: boot.pid });
      } catch (e) {
        setTimeout(() => exit(1), 0);
        return { ok: false, error: toWire(e), fatal: true };
      }
      // pgstat_bestart: auxiliary processes appear in pg_stat_activity with their backend_type (PostgreSQL 10+).
      const micros = (BigInt(Date.now()) - POSTGRES_EPOCH_MS) * 1000n;
      engine.backendStatus.reportBackendStart(AUXILIARY_BACKEND_TYPE[boot.role ?? 'checkpointer'], 0, '', micros);
      setTimeout(() => {
        try {
          if (boot.role === 'bgwriter') engine.bgWriterMain();
          else if (boot.role === 'walwriter') engine.walWriterMain();
          else if (boot.role === 'autovacuum') autoVacLauncherMain(engine, boot.autovacuum ?? DEFAULT_AUTOVACUUM_SETTINGS, (m) => console.log(m));
          else engine.checkpointerMain();
        } catch (e) {
          console.error(`tabgres: ${boot.role ?? 'auxiliary'} process ${boot.pid} failed:`, e);
          exit(1);
          return;
        }
        exit(0);
      }, 0);
      return { ok: true, value: { pid: boot.pid } };
    },
  };
}
