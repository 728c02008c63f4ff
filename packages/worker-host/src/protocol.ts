/*
 * protocol.ts — the messages between the postmaster and its backend
 * workers: types only (and the guards that check them where they cross a
 * worker boundary).
 *
 * Control goes through comlink: the worker exposes a BackendApi object and
 * the postmaster calls it through a comlink proxy; each call is one
 * request paired with its Reply. Row data comes back as structured-clone
 * values (the Result of @tabgres/engine's Database). Data that backends
 * share (pages, WAL, the proc array, the invalidation queue) never goes
 * through messages: it is in the SharedArrayBuffer.
 *
 *   postmaster                                   backend worker
 *   new Worker(entry, { workerData: BackendBoot })
 *                                               attaches comlink, loads the engine
 *   start({ startup })             ──────────►   Database.attachSync: Shmem.attach,
 *                                 ◄──────────    proc slot, catalogs (startup: initdb
 *                                                / recovery first)   Reply<BackendStarted>
 *   query / exec (with a cancel key) ────────►   Database.querySync / execSync
 *                                 ◄──────────    Reply<Result> / Reply<Result[]>
 *   cancel / terminate: no message (the worker is busy): a bit or the
 *   call's key in the backend's proc-array slot (sendProcSignal)
 *   resetSession()                 ──────────►   ROLLBACK an open block, RESET ALL
 *   shutdown({ checkpoint })       ──────────►   detach (or close: shutdown checkpoint)
 *   worker.terminate()                           (the postmaster ends the thread)
 *                                               after pg_terminate_backend: detach, exit(0)
 *
 * An error never rejects a call: it comes back as { ok: false, error }
 * with the PgError's fields, so SQLSTATE, DETAIL and position survive the
 * structured clone. A call rejects only when the worker died; the
 * postmaster answers it then (57P01 / 57P02).
 */

import type { AutovacuumSettings } from '@tabgres/engine';
import type { QueryOptions, Result } from '@tabgres/engine';

/** What a worker is started with (workerData). */
export interface BackendBoot {
  /** The postmaster's shared memory. */
  shmem: SharedArrayBuffer;
  /** The data directory, opened by the worker's own file layer. */
  dataDir: string;
  /** The backend's pid (proc array, pg_backend_pid). */
  pid: number;
  /** An auxiliary process instead of a backend (AuxiliaryApi). */
  role?: BackendRole;
  /** The autovacuum launcher's settings (role 'autovacuum'): autovacuum_naptime and the vacuum thresholds. */
  autovacuum?: AutovacuumSettings;
}

/** The fields of a PgError that cross the boundary. */
export interface WireError {
  code: string;
  message: string;
  severity: string;
  detail?: string;
  hint?: string;
  position?: number;
  where?: string;
  table?: string;
  column?: string;
  constraint?: string;
}

export type Reply<T> = { ok: true; value: T } | { ok: false; error: WireError; fatal: boolean };

export interface BackendStarted {
  pid: number;
  /** Whether this backend ran crash recovery (only a startup backend can). */
  recoveryPerformed: boolean;
}

/** The object a backend worker exposes through comlink. */
export interface BackendApi {
  start(o: { startup: boolean }): Reply<BackendStarted>;
  /** cancelKey: the postmaster's number for this call; a cancel sent with it ends the statement (57014). */
  query(sql: string, params: unknown[], opts: QueryOptions, cancelKey: number): Reply<Result>;
  exec(sql: string, cancelKey: number): Reply<Result[]>;
  /** Between two pooled sessions: rolls back an open transaction block and RESETs every setting. */
  resetSession(): Reply<null>;
  /** Leaves the instance: detach (checkpoint false) or shut it down with a shutdown checkpoint. */
  shutdown(o: { checkpoint: boolean }): Reply<null>;
}

export type BackendRole = 'backend' | 'checkpointer' | 'bgwriter' | 'walwriter' | 'autovacuum';

/**
 * An auxiliary worker (checkpointer, background writer, WAL writer,
 * autovacuum launcher):
 * start() attaches and returns; the worker then
 * runs its loop (blocking its thread) until the postmaster sets its
 * shutdown word in shared memory; the checkpointer then writes the
 * shutdown checkpoint, the others detach; each exits with code 0. Requests (CHECKPOINT, WAL volume, the timer) come through
 * shared memory too (storage/ipc/syncrequest.ts), never as messages.
 */
export interface AuxiliaryApi {
  start(): Reply<{ pid: number }>;
}

export function isBackendBoot(v: unknown): v is BackendBoot {
  if (typeof v !== 'object' || v === null) return false;
  const b = v as Record<string, unknown>;
  return b.shmem instanceof SharedArrayBuffer && typeof b.dataDir === 'string' && typeof b.pid === 'number';
}

export function isReply(v: unknown): v is Reply<unknown> {
  if (typeof v !== 'object' || v === null) return false;
  const r = v as Record<string, unknown>;
  if (r.ok === true) return 'value' in r;
  if (r.ok !== false || typeof r.error !== 'object' || r.error === null) return false;
  const e = r.error as Record<string, unknown>;
  return typeof e.code === 'string' && typeof e.message === 'string';
}
