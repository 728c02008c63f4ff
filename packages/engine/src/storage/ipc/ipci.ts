/*
 * ipci.ts — the postmaster's half of starting an instance: add up every
 * subsystem's shared-memory size and create the one segment with all its
 * regions (PostgreSQL's ipci.c, CalculateShmemSize and
 * CreateSharedMemoryAndSemaphores).
 *
 * Exports:
 *   SharedMemoryConfig                 the sizes the segment is made for
 *   calculateShmemSize(config)         bytes the segment needs
 *   createSharedMemoryAndSemaphores(config)   the formatted segment
 *   sharedMemoryConfig(shmem)          the sizes, read back by a backend that attaches
 *
 * The postmaster calls createSharedMemoryAndSemaphores once per start (and
 * again after a crash, on a new segment); every backend then attaches with
 * Shmem.attach and reads the sizes from region "ShmemConfig", so a worker
 * needs nothing but the SharedArrayBuffer and the data directory.
 *
 * Region "ShmemConfig" (written once by the postmaster, read-only after):
 *
 *   byte 0   u32 nbuffers      shared_buffers, in pages
 *        4   u32 walBuffers    wal_buffers, in pages
 *
 * The heavyweight lock table (region "LockTable", storage/lmgr) records its
 * own geometry (max_locks_per_transaction), and so does the backend status
 * array (region "BackendStatus", backend_status.ts): attaching backends
 * need no setting for either.
 */

import { Shmem, ShmemSizer } from './shmem.ts';
import { bufMgrShmemSize } from '../buffer/bufmgr.ts';
import { xlogShmemInit, xlogShmemSize } from '../../access/transam/xlog.ts';
import { transamShmemInit, transamShmemSize } from '../../access/transam/xact.ts';
import { btVacuumShmemSize } from '../../access/nbtree/nbtree.ts';
import { sinvalShmemInit, sinvalShmemSize } from './sinval.ts';
import { syncRequestShmemInit, syncRequestShmemSize } from './syncrequest.ts';
import { lockShmemInit, lockShmemSize } from '../lmgr/lock_table.ts';
import { backendStatusShmemInit, backendStatusShmemSize } from './backend_status.ts';
import { DEFAULT_MAX_LOCKS_PER_TRANSACTION } from '../../constants.ts';
import { predicateLockShmemInit, predicateLockShmemSize } from '../lmgr/predicate_internals.ts';
import { elog } from '../../utils/errors.ts';
import { pgstatDatabaseShmemInit, pgstatDatabaseShmemSize } from '../../utils/activity/pgstat_database.ts';
import { pgstatRelationShmemInit, pgstatRelationShmemSize } from '../../utils/activity/pgstat_relation.ts';

export interface SharedMemoryConfig {
  /** shared_buffers, in 8 KB pages. */
  sharedBuffers: number;
  /** wal_buffers, in 8 KB pages. */
  walBuffers: number;
  /** Request a checkpoint after this much WAL (bytes). */
  checkpointWalBytes?: number;
  /** checkpoint_timeout in milliseconds. */
  checkpointTimeoutMs?: number;
  /** commit_delay (microseconds), commit_siblings, and the benchmarks' group-commit switch (xlog.ts XLogSettings). */
  commitDelayUs?: number;
  commitSiblings?: number;
  groupCommit?: boolean;
  /** max_locks_per_transaction: sizes the heavyweight lock table (storage/lmgr/lock_table.ts); 64 by default. */
  maxLocksPerTransaction?: number;
  /** max_pred_locks_per_transaction: sizes the SSI predicate lock table (storage/lmgr/predicate_internals.ts); 64 by default. */
  maxPredLocksPerTransaction?: number;
  /** The SERIALIZABLEXACT pool (predicate_internals.ts): MAX_BACKENDS x 10 by default; tests make it small. */
  maxSerializableXacts?: number;
}

const CONFIG_REGION = 'ShmemConfig';
const CONFIG_SIZE = 8;

function sizeAll(sizer: ShmemSizer, config: SharedMemoryConfig): void {
  sizer.add(CONFIG_SIZE);
  bufMgrShmemSize(sizer, config.sharedBuffers);
  xlogShmemSize(sizer, config.walBuffers);
  transamShmemSize(sizer);
  btVacuumShmemSize(sizer);
  sinvalShmemSize(sizer);
  syncRequestShmemSize(sizer);
  lockShmemSize(sizer, config.maxLocksPerTransaction ?? DEFAULT_MAX_LOCKS_PER_TRANSACTION);
  backendStatusShmemSize(sizer);
  predicateLockShmemSize(sizer, config.maxPredLocksPerTransaction, config.maxSerializableXacts);
  pgstatDatabaseShmemSize(sizer);
  pgstatRelationShmemSize(sizer);
}

/** CalculateShmemSize. */
export function calculateShmemSize(config: SharedMemoryConfig): number {
  const sizer = new ShmemSizer();
  sizeAll(sizer, config);
  return sizer.size;
}

/**
 * CreateSharedMemoryAndSemaphores: a new segment with every region created
 * and initialized. The buffer pool's regions are created by the first
 * BufferManager over it (bufmgr.ts), which only zeroes them.
 */
export function createSharedMemoryAndSemaphores(config: SharedMemoryConfig): Shmem {
  const shmem = Shmem.create(calculateShmemSize(config));
  const cfg = shmem.initStruct(CONFIG_REGION, CONFIG_SIZE);
  shmem.u32[cfg.offset >> 2] = config.sharedBuffers;
  shmem.u32[(cfg.offset >> 2) + 1] = config.walBuffers;
  xlogShmemInit(shmem, {
    walBuffers: config.walBuffers,
    ...(config.checkpointWalBytes !== undefined ? { checkpointWalBytes: config.checkpointWalBytes } : {}),
    ...(config.checkpointTimeoutMs !== undefined ? { checkpointTimeoutMs: config.checkpointTimeoutMs } : {}),
    ...(config.commitDelayUs !== undefined ? { commitDelayUs: config.commitDelayUs } : {}),
    ...(config.commitSiblings !== undefined ? { commitSiblings: config.commitSiblings } : {}),
    ...(config.groupCommit !== undefined ? { groupCommit: config.groupCommit } : {}),
  });
  transamShmemInit(shmem);
  sinvalShmemInit(shmem);
  syncRequestShmemInit(shmem);
  lockShmemInit(shmem, config.maxLocksPerTransaction ?? DEFAULT_MAX_LOCKS_PER_TRANSACTION);
  backendStatusShmemInit(shmem);
  predicateLockShmemInit(shmem, config.maxPredLocksPerTransaction, config.maxSerializableXacts);
  pgstatDatabaseShmemInit(shmem);
  pgstatRelationShmemInit(shmem);
  return shmem;
}

/** The sizes the segment was made for, as a backend attaching to it needs them. */
export function sharedMemoryConfig(shmem: Shmem): { sharedBuffers: number; walBuffers: number } {
  const cfg = shmem.lookup(CONFIG_REGION);
  if (cfg === undefined) return elog('ShmemConfig is missing from shared memory (not made by createSharedMemoryAndSemaphores)');
  return { sharedBuffers: shmem.u32[cfg.offset >> 2], walBuffers: shmem.u32[(cfg.offset >> 2) + 1] };
}
