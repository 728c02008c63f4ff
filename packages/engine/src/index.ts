/*
 * @tabgres/engine — one backend's code: the storage engine, and the SQL
 * layer behind Database.open (database.ts, tcop/).
 */

export {
  StorageEngine, STORAGE_DB_OID, type StorageEngineOptions, type ScannedRow, type TableScanCursor, type IndexScan, type IndexSpec,
  type ModifyOutcome, type RelationVacuumStats, type StorageEngineAttachOptions,
} from './engine.ts';
export { btIndexCheck, INDOPTION_DESC, INDOPTION_NULLS_FIRST } from './access/nbtree/nbtree.ts';
export type { IndexRelation, IndexKeyColumn, ScanKey, ScanKeyOp, ScanDirection, BtIndexStats, BtCheckResult } from './access/nbtree/nbtree.ts';
export type { HeapSizeEstimate } from './access/heap/heapam_handler.ts';
export { PgError, SQLSTATE, isPgError } from './utils/errors.ts';
export type { Relation } from './access/heap/relation.ts';
export type { ColumnDef, TupleDesc } from './access/common/tupdesc.ts';
export type { Tid } from './access/common/itemptr.ts';
export { makeTid, tidBlock, tidOffset } from './access/common/itemptr.ts';
export { TYPES, typeByOid, typeByName } from './utils/adt/types.ts';
export type { Datum, TypeInfo } from './utils/adt/datum.ts';
export { parse } from './parser/gram.ts';
export { tokenize } from './parser/scan.ts';
export { Database, setDataDirFactory, type DatabaseOptions, type DatabaseAttachOptions, type QueryOptions, type Result, type Queryable } from './database.ts';
export { createSharedMemoryAndSemaphores, calculateShmemSize, sharedMemoryConfig, type SharedMemoryConfig } from './storage/ipc/ipci.ts';
export { xlogStatsOf, type XLogStats } from './access/transam/xlog.ts';
export { predicateLockStatsOf } from './storage/lmgr/predicate_internals.ts';
export { sendProcSignal, PROCSIG_CANCEL, PROCSIG_DIE } from './storage/ipc/procsignal.ts';
export { requestCheckpointerShutdown, requestAuxiliaryShutdown } from './storage/ipc/syncrequest.ts';
export { Shmem } from './storage/ipc/shmem.ts';
export { DEFAULT_SHARED_BUFFERS, DEFAULT_WAL_BUFFERS, MAX_BACKENDS } from './constants.ts';
export { PostgresBackend } from './tcop/postgres.ts';
export type { StatementResult, FieldDescription, Notice, SimpleQueryOutcome } from './tcop/dest.ts';
export { printAligned, formatErrorForPsql, isRightAligned } from './tcop/psql_print.ts';
export { rowToText, datumToText } from './tcop/printtup.ts';
export { describeCommand } from './tcop/describe.ts';
export { Guc } from './utils/misc/guc.ts';
export { autoVacLauncherMain, tablesNeedingVacuum, DEFAULT_AUTOVACUUM_SETTINGS, type AutovacuumSettings } from './postmaster/autovacuum.ts';
export {
  archiveDataDirectory, restoreDataDirectory, readDataDirectory, writeDataDirectory, makeBaseBackup, readBaseBackup, backupManifest,
  compressBaseBackup, decompressBaseBackup, cleanlyShutDown, BACKUP_MANIFEST_PATH, type BackupFile,
} from './backup/basebackup.ts';
export { writeTar, readTar, type TarMember } from './port/tar.ts';
