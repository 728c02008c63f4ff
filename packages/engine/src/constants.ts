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

/** Columns per table (MaxHeapAttributeNumber); the null bitmap and t_hoff (one byte) bound it. */
export const MAX_HEAP_ATTRIBUTE_NUMBER = 1600;

/** Default number of shared buffers (pages). 16 MB: small enough for a tab, big enough for a working set. */
export const DEFAULT_SHARED_BUFFERS = 2048;
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
