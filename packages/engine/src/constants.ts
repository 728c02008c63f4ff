/*
 * constants.ts — every size and limit of the engine in one place.
 *
 * Each constant says why it has its value and what it costs. The values that
 * PostgreSQL also has keep PostgreSQL's values, so page images and WAL
 * records have the same geometry as theirs. Assertions at the bottom tie
 * related constants together when the module loads.
 */

/** Page size. PostgreSQL's default; every on-disk structure is in these units. */
export const BLCKSZ = 8192;

/** Relation files are split into segments of this many blocks (1 GB), as md.c does. */
export const RELSEG_SIZE = 131072;

/** Maximum bytes of one heap tuple stored inline; larger rows are toasted (TOAST_TUPLE_THRESHOLD). */
export const TOAST_TUPLE_THRESHOLD = 2032;
/** Toasting shrinks the row until it is at most this large (TOAST_TUPLE_TARGET). */
export const TOAST_TUPLE_TARGET = 2032;
/** Payload bytes of one toast chunk row, so that four chunk rows fill a page. */
export const TOAST_MAX_CHUNK_SIZE = 1996;

/** Largest possible heap tuple (MaxHeapTupleSize): one tuple filling a page. */
export const SIZE_OF_PAGE_HEADER = 24;
export const SIZE_OF_ITEM_ID = 4;
export const MAXIMUM_ALIGNOF = 8;
export const MAX_HEAP_TUPLE_SIZE = BLCKSZ - maxAlign(SIZE_OF_PAGE_HEADER + SIZE_OF_ITEM_ID);
/** MaxHeapTuplesPerPage: bounds line-pointer arrays (each tuple needs a 24-byte header and a line pointer). */
export const MAX_HEAP_TUPLES_PER_PAGE = Math.floor((BLCKSZ - SIZE_OF_PAGE_HEADER) / (maxAlign(23) + SIZE_OF_ITEM_ID));

/**
 * Rows a bulk insert (INSERT ... SELECT, multi-row VALUES, insertMany)
 * buffers before heap_multi_insert stores them, and the bytes of their
 * values it lets accumulate (PostgreSQL's COPY: MAX_BUFFERED_TUPLES 1000,
 * MAX_BUFFERED_BYTES 65535). A larger batch fills more pages per flush;
 * each buffered row costs its values array and its formed tuple until then.
 */
export const HEAP_MULTI_INSERT_MAX_TUPLES = 1000;
export const HEAP_MULTI_INSERT_MAX_BYTES = 65536;

/** Columns per table (MaxHeapAttributeNumber); the null bitmap and t_hoff (one byte) bound it. */
export const MAX_HEAP_ATTRIBUTE_NUMBER = 1600;

/**
 * Default number of shared buffers (pages): 128 MB, PostgreSQL's default.
 * The SharedArrayBuffer's pages are committed by the OS only when first
 * touched, so an idle pool costs address space, not memory (Database.open
 * plus SELECT 1 measured 77-78 MB RSS at 2048 and at 16384 buffers). At
 * 16 MB the speed.html series outgrew the pool at its test 11 and every
 * later read evicted a dirty page, where PostgreSQL evicts nothing. The
 * playground passes a smaller pool so its buffer grid stays readable.
 */
export const DEFAULT_SHARED_BUFFERS = 16384;
/**
 * BUF_DROP_FULL_SCAN_THRESHOLD as a divisor: dropping or truncating a
 * relation with fewer than nbuffers / 32 blocks to forget looks each block
 * up in the buffer mapping table; larger ones scan every buffer header.
 */
export const BUF_DROP_FULL_SCAN_DIVISOR = 32;
/** Fewest shared buffers accepted; below this a checkpoint plus a few pinned pages could exhaust the pool. */
export const MIN_SHARED_BUFFERS = 16;

/** Usage count ceiling for the clock sweep (BM_MAX_USAGE_COUNT): a hot page survives five passes. */
export const BM_MAX_USAGE_COUNT = 5;

/** Buffer-mapping hash table partitions (NUM_BUFFER_PARTITIONS): lock contention versus lock count. */
export const NUM_BUFFER_PARTITIONS = 128;

/** WAL page size (XLOG_BLCKSZ). */
export const XLOG_BLCKSZ = 8192;
/** Default WAL segment size: 16 MB, PostgreSQL's default. Tests use 1 MB to exercise segment switches. */
export const DEFAULT_WAL_SEGMENT_SIZE = 16 * 1024 * 1024;
/** WAL buffers in shared memory, in XLOG_BLCKSZ pages (wal_buffers): 4 MB, enough for big bulk inserts between flushes. */
export const DEFAULT_WAL_BUFFERS = 512;

/** A checkpoint is requested after this much WAL (max_wal_size/3-ish): 64 MB bounds recovery time. */
export const DEFAULT_CHECKPOINT_WAL_BYTES = 64 * 1024 * 1024;
/** checkpoint_timeout in milliseconds: PostgreSQL's 5 minutes. */
export const DEFAULT_CHECKPOINT_TIMEOUT_MS = 5 * 60 * 1000;
/**
 * commit_delay's limit (PostgreSQL's: 100000 us). The flushing backend
 * sleeps holding WALWriteLock, so every committer waits this long at most
 * once more per flush.
 */
export const COMMIT_DELAY_US_MAX = 100_000;
/** commit_siblings: PostgreSQL's default (5) and limit (1000). */
export const DEFAULT_COMMIT_SIBLINGS = 5;
export const COMMIT_SIBLINGS_MAX = 1000;

/** CLOG: 2 status bits per transaction, so one 8 KB page covers 32768 XIDs. */
export const CLOG_XACTS_PER_PAGE = BLCKSZ * 4;
/** CLOG pages cached in shared memory (the SLRU's buffers). */
export const NUM_CLOG_BUFFERS = 32;
/** pg_subtrans: one 4-byte parent XID per transaction. */
export const SUBTRANS_XACTS_PER_PAGE = BLCKSZ / 4;
export const NUM_SUBTRANS_BUFFERS = 32;
/** SLRU segment files hold 32 pages each, as PostgreSQL's do. */
export const SLRU_PAGES_PER_SEGMENT = 32;

/** Backend slots in the proc array (max_connections + auxiliary processes). */
export const MAX_BACKENDS = 64;
/** Subtransaction XIDs cached per proc slot (PGPROC_MAX_CACHED_SUBXIDS). */
export const PGPROC_MAX_CACHED_SUBXIDS = 64;

/** Lightweight-lock waits time out after this long and retry, so a lost wake-up costs a delay, never a hang. */
export const LWLOCK_WAIT_TIMEOUT_MS = 100;

/** Open file handles kept by one backend's storage manager (Safari allows ~250 sync handles per origin). */
export const MAX_OPEN_FILES = 64;

/** Freeze tuples older than this many XIDs (vacuum_freeze_min_age). */
export const VACUUM_FREEZE_MIN_AGE = 50_000_000;
/** A table is scanned whole to freeze when its oldest XID is older than this (vacuum_freeze_table_age). */
export const VACUUM_FREEZE_TABLE_AGE = 150_000_000;
/** New XIDs are refused this close to wraparound (PostgreSQL stops at 3 million before). */
export const XID_STOP_LIMIT_MARGIN = 3_000_000;
/** Warnings start this close to wraparound (PostgreSQL: 40 million). */
export const XID_WARN_LIMIT_MARGIN = 40_000_000;

/** On-disk format version kept in pg_control; a data directory of another version is refused. */
export const PG_CONTROL_VERSION = 1300;
export const CATALOG_VERSION_NO = 202611251;
/** Magic number in WAL page headers (XLOG_PAGE_MAGIC); a different value means another format. */
export const XLOG_PAGE_MAGIC = 0xd116;

/** Page layout version in pd_pagesize_version (PG_PAGE_LAYOUT_VERSION). */
export const PG_PAGE_LAYOUT_VERSION = 4;

export function maxAlign(n: number): number {
  return (n + (MAXIMUM_ALIGNOF - 1)) & ~(MAXIMUM_ALIGNOF - 1);
}

function assertConstants(): void {
  if (BLCKSZ % MAXIMUM_ALIGNOF !== 0) throw new Error('BLCKSZ must be a multiple of MAXIMUM_ALIGNOF');
  if (TOAST_TUPLE_THRESHOLD >= MAX_HEAP_TUPLE_SIZE) throw new Error('toast threshold must be below the largest tuple');
  if (DEFAULT_WAL_SEGMENT_SIZE % XLOG_BLCKSZ !== 0) throw new Error('WAL segments hold whole WAL pages');
  if (DEFAULT_SHARED_BUFFERS < MIN_SHARED_BUFFERS) throw new Error('shared_buffers default below its minimum');
  if (NUM_BUFFER_PARTITIONS & (NUM_BUFFER_PARTITIONS - 1)) throw new Error('buffer partitions must be a power of two');
  if (MAX_HEAP_TUPLES_PER_PAGE !== 291) throw new Error('MaxHeapTuplesPerPage must match PostgreSQL (291)');
}
assertConstants();

/* ---- Page layout and pglz compression (storage/page, common/pg_lzcompress) ---- */

/**
 * Most line pointers a page can have (MaxOffsetNumber): every byte of the page
 * in 4-byte line pointers. Sizes the scratch arrays of page compaction (2048 x
 * a few bytes each, allocated once per backend).
 */
export const MAX_OFFSET_NUMBER = BLCKSZ / SIZE_OF_ITEM_ID;

/** pglz does not try inputs shorter than this (PostgreSQL's min_input_size): the tags would not pay off. */
export const PGLZ_MIN_INPUT_SIZE = 32;
/**
 * pglz keeps a result only if it saves at least this percentage (min_comp_rate):
 * below it, decompressing on every read costs more than the bytes saved.
 */
export const PGLZ_MIN_COMP_RATE_PERCENT = 25;
/**
 * pglz gives up when this many output bytes were written without one match
 * (first_success_by): data that is random at its start rarely compresses later,
 * and this bounds the time wasted on it to about 1 KB of work.
 */
export const PGLZ_FIRST_SUCCESS_BY = 1024;
/**
 * Candidates pglz examines per position along one hash chain. More finds longer
 * matches (better ratio) at a proportional cost in compression speed.
 */
export const PGLZ_MAX_CHAIN = 16;
/** pglz stops searching a chain at a match this long: longer searches rarely pay (match_size_good). */
export const PGLZ_GOOD_MATCH = 128;
/* ---- end of page layout and pglz block ---- */

// ---------------------------------------------------------------------------
// WAL (access/transam/xlog*.ts). Added by the WAL module; the format values
// (record and page header layouts) live beside their diagrams in
// xlogrecord.ts and xlog_internal.ts, these are the limits and sizes.
// ---------------------------------------------------------------------------

/**
 * Smallest WAL segment accepted. PostgreSQL's minimum is 1 MB; tabgres
 * allows 64 KB so tests cross segment boundaries every few hundred records.
 * Cost of small segments: a file per 64 KB and more segment switches.
 */
export const WAL_SEGMENT_SIZE_MIN = 64 * 1024;
/** Largest WAL segment (PostgreSQL's WalSegMaxSize, 1 GB); an offset in a segment must fit in 32 bits. */
export const WAL_SEGMENT_SIZE_MAX = 1024 * 1024 * 1024;

/**
 * Largest WAL record accepted (PostgreSQL allows 1020 MB). A record holds at
 * most 33 page images (264 KB) plus its main data, so 16 MB is generous; it
 * also bounds what the reader allocates when a garbage xl_tot_len is read
 * from a torn or recycled page.
 */
export const XLOG_RECORD_MAX_BYTES = 16 * 1024 * 1024;

/**
 * Data chunks (registerData / registerBufData calls) one record may have
 * before the scratch arrays grow. PostgreSQL's XLR_NORMAL_RDATAS is 20;
 * 64 covers every record the engine builds without an allocation.
 */
export const XLOG_INSERT_CHUNKS_INITIAL = 64;
/** Hard limit on data chunks per record, so a runaway caller is an error rather than unbounded growth. */
export const XLOG_INSERT_CHUNKS_MAX = 4096;

/**
 * Records up to this size (without page images) are gathered into one
 * contiguous per-backend scratch before the copy into the WAL buffers: one
 * CRC call and one word-at-a-time copy instead of a call per chunk. Measured
 * on a heap-insert-sized record this halves the copy cost; above ~1 KB the
 * extra copy costs more than the per-chunk overhead it saves.
 */
export const XLOG_SMALL_RECORD_BYTES = 1024;

/**
 * Old WAL segments renamed to future names at a checkpoint instead of being
 * deleted (PostgreSQL's recycling, bounded by max_wal_size there). Each
 * saves creating and zero-filling a segment later; each costs a segment's
 * worth of disk while it waits.
 */
export const WAL_RECYCLE_SEGMENTS_MAX = 4;

/**
 * WAL segment files one backend keeps open (its little cache of SyncFiles).
 * Writing needs the current segment; flushing may touch the previous one.
 * Safari allows ~250 sync handles per origin, shared with relation files.
 */
export const WAL_OPEN_SEGMENTS_MAX = 4;

/** Zero-fill of a new WAL segment is written in pieces of this size: one allocation, few write calls. */
export const WAL_ZERO_FILL_CHUNK_BYTES = 256 * 1024;

/**
 * Retries of a seqlock read (a WAL position published by another backend)
 * before giving up with an error. A writer holds the sequence odd for a few
 * stores, so a reader never needs more than a handful; the bound turns a
 * crashed writer into an error instead of a spin.
 */
export const WAL_SEQLOCK_RETRIES_MAX = 1_000_000;

/** Fewest WAL buffers accepted: one page being filled, one being written, and slack. */
export const WAL_BUFFERS_MIN = 4;

/**
 * A WAL record insertion that finds the redo pointer moved (a checkpoint
 * began) re-assembles with full-page images; each retry needs a new
 * checkpoint, so more than a few in a row means something is wrong.
 */
export const XLOG_INSERT_RETRIES_MAX = 100;

function assertWalConstants(): void {
  if (XLOG_BLCKSZ % MAXIMUM_ALIGNOF !== 0) throw new Error('XLOG_BLCKSZ must be a multiple of MAXIMUM_ALIGNOF');
  if (WAL_SEGMENT_SIZE_MIN % XLOG_BLCKSZ !== 0) throw new Error('WAL segments hold whole WAL pages');
  if (DEFAULT_WAL_BUFFERS < WAL_BUFFERS_MIN) throw new Error('wal_buffers default below its minimum');
  if (WAL_ZERO_FILL_CHUNK_BYTES % XLOG_BLCKSZ !== 0) throw new Error('zero-fill chunks are whole WAL pages');
  if (XLOG_INSERT_CHUNKS_INITIAL > XLOG_INSERT_CHUNKS_MAX) throw new Error('initial chunk count above its maximum');
}
assertWalConstants();

// ---------------------------------------------------------------------------
// Transactions (access/transam: clog, subtrans, varsup, xact; storage/ipc/procarray;
// utils/time/snapmgr). Added by the transaction module.
// ---------------------------------------------------------------------------

/**
 * Ages past which autovacuum is asked to freeze (autovacuum_freeze_max_age):
 * GetNewTransactionId starts signalling once nextXid passes oldestXid + this.
 * PostgreSQL's default; smaller means more anti-wraparound vacuums.
 */
export const AUTOVACUUM_FREEZE_MAX_AGE = 200_000_000;

/**
 * OIDs handed out per XLOG_NEXTOID record (VAR_OID_PREFETCH). One WAL record
 * per 8192 OIDs; after a crash up to 8192 OIDs are skipped, which is harmless.
 */
export const VAR_OID_PREFETCH = 8192;

/**
 * Deepest savepoint nesting one transaction may reach. PostgreSQL has no
 * explicit limit (it runs out of stack or memory first); here every loop over
 * the TransactionState stack and every pg_subtrans parent walk is bounded by
 * it. Each level costs one TransactionState object (~200 bytes) and one step
 * in those walks.
 */
export const XACT_NESTING_DEPTH_MAX = 10_000;

/**
 * Attempts an SLRU makes to find a buffer for a page before giving up with
 * an error. Each attempt either finds the page, takes a clean victim, or
 * writes / waits for one dirty victim; with other backends evicting at the
 * same time a handful suffice, and the bound turns a livelock into an error.
 */
export const SLRU_SELECT_ATTEMPTS_MAX = 1000;

/**
 * Sleeps (of LWLOCK_WAIT_TIMEOUT_MS each) the checkpointer waits for backends
 * that are between writing a commit record and updating CLOG
 * (DELAY_CHKPT_START) before it gives up with an error: 10 s.
 */
export const DELAY_CHKPT_WAIT_ROUNDS_MAX = 100;

function assertTransamConstants(): void {
  if (CLOG_XACTS_PER_PAGE !== BLCKSZ * 4) throw new Error('CLOG stores 2 bits per transaction');
  if ((2 ** 32 / CLOG_XACTS_PER_PAGE) % SLRU_PAGES_PER_SEGMENT !== 0) throw new Error('CLOG pages must fill whole segments at wraparound');
  if ((2 ** 32 / SUBTRANS_XACTS_PER_PAGE) % SLRU_PAGES_PER_SEGMENT !== 0) throw new Error('pg_subtrans pages must fill whole segments at wraparound');
  if (XID_WARN_LIMIT_MARGIN <= XID_STOP_LIMIT_MARGIN) throw new Error('XID warnings must start before the stop limit');
  if (AUTOVACUUM_FREEZE_MAX_AGE >= 2 ** 31 - XID_WARN_LIMIT_MARGIN) throw new Error('autovacuum must be asked before wraparound warnings');
  if (MAX_BACKENDS * PGPROC_MAX_CACHED_SUBXIDS > 1 << 20) throw new Error('snapshot subxip arrays would be too large');
}
assertTransamConstants();
/* ---- end of transactions block ---- */

/* ---- Shared invalidation (storage/ipc/sinval.ts) ---- */

/**
 * Messages the shared invalidation ring holds (MAXNUMMESSAGES). Each costs
 * 16 bytes of shared memory (64 KB in all). A backend that falls this far
 * behind is reset: it drops every cache entry instead of reading the
 * messages it missed, which costs it a rebuild of what it uses next.
 */
export const SINVAL_MAX_MESSAGES = 4096;
/**
 * Message numbers are int32 counters; when the oldest one still needed
 * passes this, every counter is lowered by it (MSGNUMWRAPAROUND), so they
 * never overflow. A multiple of SINVAL_MAX_MESSAGES keeps ring positions.
 */
export const SINVAL_MSGNUM_WRAPAROUND = SINVAL_MAX_MESSAGES * 131_072;

function assertSinvalConstants(): void {
  if ((SINVAL_MAX_MESSAGES & (SINVAL_MAX_MESSAGES - 1)) !== 0) throw new Error('the sinval ring size must be a power of two');
  if (SINVAL_MSGNUM_WRAPAROUND % SINVAL_MAX_MESSAGES !== 0) throw new Error('sinval wraparound must keep ring positions');
  if (SINVAL_MSGNUM_WRAPAROUND * 2 >= 2 ** 31) throw new Error('sinval message numbers must stay below 2^31');
}
assertSinvalConstants();

/* ---- Heavyweight locks (storage/lmgr: lock.ts, deadlock.ts) ---- */

/**
 * Lock-table partitions (NUM_LOCK_PARTITIONS), each with its own LWLock:
 * backends locking different objects rarely meet on one LWLock. The
 * deadlock detector and pg_locks take all of them, so more partitions make
 * those (rare) operations slower. A power of two; each costs a 64-byte line.
 */
export const NUM_LOCK_PARTITIONS = 16;
/**
 * max_locks_per_transaction: the shared lock table holds this many LOCK
 * entries per backend slot (and twice as many PROCLOCK entries), as
 * PostgreSQL sizes it. A LOCK costs 128 bytes, a PROCLOCK 32, so the default
 * costs 64 x 64 x (128 + 2 x 32) = 768 KB of shared memory.
 */
export const DEFAULT_MAX_LOCKS_PER_TRANSACTION = 64;
/** deadlock_timeout: how long a lock waiter sleeps before it looks for a deadlock (PostgreSQL's 1 s). */
export const DEFAULT_DEADLOCK_TIMEOUT_MS = 1000;
/**
 * A lock waiter's Atomics.wait is cut into slices of at most this long: a
 * lost wake-up costs a slice, and interrupts (cancel, lock_timeout) are seen
 * within one.
 */
export const LOCK_WAIT_SLICE_MS = 100;
/**
 * Wait-queue rearrangements the deadlock detector tries at once
 * (MaxBackends in deadlock.c's maxCurConstraints); beyond it a cycle with
 * soft edges is treated as a real deadlock.
 */
export const DEADLOCK_MAX_CONSTRAINTS = MAX_BACKENDS;
/**
 * Queue configurations the deadlock detector tests before it gives up and
 * calls the cycle a deadlock: the search over rearrangements branches per
 * soft edge, and this bounds its time (each test walks the wait-for graph,
 * a few microseconds with a handful of waiters) at a cost of aborting, in
 * pathological queues, a transaction that some order would have saved.
 */
export const DEADLOCK_MAX_CONFIGURATIONS = 10_000;

/**
 * A spinlock (the lock table's free lists) is retried this many times
 * before the waiter naps 1 ms between tries (s_lock's spins_per_delay): its
 * holder needs a few instructions, so spinning wins unless it was
 * descheduled.
 */
export const SPINS_PER_DELAY = 1000;
/**
 * Naps (1 ms each) after which a spinlock counts as stuck, its holder dead
 * inside the critical section: PANIC, as PostgreSQL's s_lock_stuck, after
 * about 10 s.
 */
export const SPINLOCK_STUCK_NAPS = 10_000;

/**
 * Fast-path relation lock slots per backend (FP_LOCK_SLOTS_PER_BACKEND):
 * weak locks (AccessShare, RowShare, RowExclusive) on up to this many
 * relations are kept in the backend's proc-array words instead of the
 * shared table. More slots need more proc-array words and make a strong
 * locker's transfer scan longer.
 */
export const FP_LOCK_SLOTS_PER_BACKEND = 16;
/**
 * Counters of strong relation locks held or requested, by tag hash
 * (FAST_PATH_STRONG_LOCK_HASH_PARTITIONS): a weak request may use the fast
 * path only while its counter is 0. More counters mean fewer weak requests
 * pushed to the shared table by an unrelated strong lock; 4 KB of shared
 * memory.
 */
export const FAST_PATH_STRONG_LOCK_HASH_PARTITIONS = 1024;

function assertLockConstants(): void {
  if ((NUM_LOCK_PARTITIONS & (NUM_LOCK_PARTITIONS - 1)) !== 0) throw new Error('lock partitions must be a power of two');
  if (DEFAULT_MAX_LOCKS_PER_TRANSACTION < 10) throw new Error('max_locks_per_transaction below PostgreSQL minimum (10)');
  if (LOCK_WAIT_SLICE_MS > DEFAULT_DEADLOCK_TIMEOUT_MS) throw new Error('lock wait slices must be shorter than deadlock_timeout');
  if (FP_LOCK_SLOTS_PER_BACKEND !== 16) throw new Error('the proc array reserves fast-path words for 16 slots (PL_FP_LOCK_BITS, PL_FP_REL_ID)');
  if ((FAST_PATH_STRONG_LOCK_HASH_PARTITIONS & (FAST_PATH_STRONG_LOCK_HASH_PARTITIONS - 1)) !== 0) throw new Error('strong lock partitions must be a power of two');
}
assertLockConstants();
/* ---- end of heavyweight locks block ---- */
