/*
 * nbtree_constants.ts — every size, flag and limit of the B-tree access
 * method in one place (PostgreSQL's nbtree.h and the limits tabgres adds).
 *
 * The on-page values (flags, magic, version, layouts) are PostgreSQL's, so a
 * tabgres index page reads like a PostgreSQL one in a hex dump. The limits at
 * the end are tabgres's own: each bounds a loop over shared state (STYLE.md,
 * practice 7) and says why it is as large as it is. Assertions at the bottom
 * tie the values together when the module loads.
 */

import { BLCKSZ, SIZE_OF_ITEM_ID, SIZE_OF_PAGE_HEADER, maxAlign } from '../../constants.ts';
import { Assert } from '../../utils/errors.ts';

/* ---- block numbers and offsets ---- */

/** Block 0 of every B-tree is the metapage (BTREE_METAPAGE). */
export const BTREE_METAPAGE = 0;
/** "No page": sibling links and the metapage's root use 0, which can never be a tree page (P_NONE). */
export const P_NONE = 0;
/** Offset of the high key on a page that has one (P_HIKEY). */
export const P_HIKEY = 1;
/** First data item of a page with a high key (P_FIRSTKEY). */
export const P_FIRSTKEY = 2;

/* ---- BTPageOpaqueData.btpo_flags (PostgreSQL's bits) ---- */

export const BTP_LEAF = 1 << 0;
/** The true root (the fast root does not carry it). */
export const BTP_ROOT = 1 << 1;
/** Unlinked from the tree; its block waits until no scan can still reach it. */
export const BTP_DELETED = 1 << 2;
export const BTP_META = 1 << 3;
/** An empty leaf whose downlink is gone, not yet unlinked from its siblings. */
export const BTP_HALF_DEAD = 1 << 4;
/** Rightmost page of a group split off one page during the current VACUUM cycle. */
export const BTP_SPLIT_END = 1 << 5;
/** Some items are LP_DEAD (a hint: not WAL-logged). */
export const BTP_HAS_GARBAGE = 1 << 6;
/** The right half of this page's split has no downlink in the parent yet. */
export const BTP_INCOMPLETE_SPLIT = 1 << 7;
/** A deleted page stores its safexid as a 64-bit value in the page contents. */
export const BTP_HAS_FULLXID = 1 << 8;

/* ---- the special space: BTPageOpaqueData, 16 bytes ---- */

/*
 *   0            4            8            12           14           16
 *   +------------+------------+------------+------------+------------+
 *   | btpo_prev  | btpo_next  | btpo_level | btpo_flags |btpo_cycleid|
 *   |    u32     |    u32     |    u32     |    u16     |    u16     |
 *   +------------+------------+------------+------------+------------+
 */
export const BTPO_PREV = 0;
export const BTPO_NEXT = 4;
export const BTPO_LEVEL = 8;
export const BTPO_FLAGS = 12;
export const BTPO_CYCLEID = 14;
export const SIZE_OF_BT_PAGE_OPAQUE = 16;

/* ---- the metapage ---- */

/** btm_magic (BTREE_MAGIC). */
export const BTREE_MAGIC = 0x053162;
/** btm_version: version 4 indexes order duplicates by heap TID (heapkeyspace). */
export const BTREE_VERSION = 4;
/** Oldest version readable; tabgres only ever writes version 4. */
export const BTREE_MIN_VERSION = 4;

/*
 * BTMetaPageData at the start of the metapage's contents (byte 24):
 *
 *   0 btm_magic u32 | 4 btm_version u32 | 8 btm_root u32 | 12 btm_level u32
 *   16 btm_fastroot u32 | 20 btm_fastlevel u32 | 24 btm_last_cleanup_num_delpages u32
 *   28 (pad) | 32 btm_last_cleanup_num_heap_tuples f64 | 40 btm_allequalimage u8 | 41..47 pad
 */
export const BTM_MAGIC = 0;
export const BTM_VERSION = 4;
export const BTM_ROOT = 8;
export const BTM_LEVEL = 12;
export const BTM_FASTROOT = 16;
export const BTM_FASTLEVEL = 20;
export const BTM_LAST_CLEANUP_NUM_DELPAGES = 24;
export const BTM_LAST_CLEANUP_NUM_HEAP_TUPLES = 32;
export const BTM_ALLEQUALIMAGE = 40;
export const SIZE_OF_BT_META_PAGE_DATA = 48;
/** Where page contents start (PageGetContents): MAXALIGN(SizeOfPageHeaderData). */
export const PAGE_CONTENTS = maxAlign(SIZE_OF_PAGE_HEADER);

/** A deleted page keeps its safexid (FullTransactionId, 8 bytes) in its contents (BTDeletedPageData). */
export const SIZE_OF_BT_DELETED_PAGE_DATA = 8;

/* ---- index tuples (access/itup.h) ---- */

/** Columns of one index (INDEX_MAX_KEYS); also what the 4-byte null bitmap can describe. */
export const INDEX_MAX_KEYS = 32;
/** Bytes of IndexTupleData: t_tid (6) + t_info (2). */
export const SIZE_OF_INDEX_TUPLE_DATA = 8;
/** Bytes of the null bitmap when a tuple has nulls (IndexAttributeBitMapData). */
export const SIZE_OF_INDEX_NULL_BITMAP = INDEX_MAX_KEYS / 8;
/** t_info: bits 0..12 hold the tuple's size. */
export const INDEX_SIZE_MASK = 0x1fff;
/** t_info: reserved for the access method; nbtree's INDEX_ALT_TID_MASK (pivot tuple). */
export const INDEX_AM_RESERVED_BIT = 0x2000;
export const INDEX_VAR_MASK = 0x4000;
export const INDEX_NULL_MASK = 0x8000;
export const INDEX_ALT_TID_MASK = INDEX_AM_RESERVED_BIT;

/* Pivot tuples keep their attribute count in t_tid's offset field (nbtree.h). */
/** Low 12 bits of a pivot's t_tid offset: number of key attributes kept. */
export const BT_OFFSET_MASK = 0x0fff;
/** The pivot carries a heap TID in its last 6 bytes. */
export const BT_PIVOT_HEAP_TID_ATTR = 0x1000;
/** A posting-list tuple (deduplication); tabgres never writes one. */
export const BT_IS_POSTING = 0x2000;

/* ---- sizes and fill factors ---- */

/**
 * Largest index tuple (BTMaxItemSize): three items and their line pointers
 * must fit on a page beside the special space, so that a split always
 * leaves room for a high key and an item on each half; a heap TID may be
 * added to a pivot made from the item, hence the last 8 bytes.
 * (8192 - 40 - 16) / 3 rounded down to 8, minus 8 = 2704.
 */
export const BT_MAX_ITEM_SIZE =
  Math.floor((BLCKSZ - maxAlign(SIZE_OF_PAGE_HEADER + 3 * SIZE_OF_ITEM_ID) - maxAlign(SIZE_OF_BT_PAGE_OPAQUE)) / 3 / 8) * 8 - 8;

/**
 * Most items on one index page (MaxIndexTuplesPerPage): the smallest tuple
 * with a key is 16 bytes plus its 4-byte line pointer. Sizes the per-scan
 * item arrays and the deletion scratch arrays.
 */
export const MAX_INDEX_TUPLES_PER_PAGE = Math.floor((BLCKSZ - SIZE_OF_PAGE_HEADER) / (maxAlign(SIZE_OF_INDEX_TUPLE_DATA + 1) + SIZE_OF_ITEM_ID));

/** Leaf fill factor of a bottom-up build and of rightmost splits (BTREE_DEFAULT_FILLFACTOR). */
export const BTREE_DEFAULT_FILLFACTOR = 90;
/** Fill factor of internal pages, not settable (BTREE_NONLEAF_FILLFACTOR). */
export const BTREE_NONLEAF_FILLFACTOR = 70;
/** Settable range of a leaf fill factor (BTREE_MIN_FILLFACTOR .. 100). */
export const BTREE_MIN_FILLFACTOR = 10;

/**
 * The rightmost-leaf insertion cache is used only in trees this tall or
 * taller (BTREE_FASTPATH_MIN_LEVEL): below it a descent costs as little as
 * checking the cached page.
 */
export const BTREE_FASTPATH_MIN_LEVEL = 2;

/** VACUUM cycle ids run 1..MAX_BT_CYCLE_ID; 0 means "no VACUUM in progress" (MAX_BT_CYCLE_ID). */
export const MAX_BT_CYCLE_ID = 0xff7f;

/* ---- limits on loops (tabgres) ---- */

/**
 * Deepest tree accepted. A B-tree of 8 KB pages with even 3 items per
 * internal page would need 3^40 keys to get this tall; a level count beyond
 * it is corruption, and every descent and stack walk is bounded by it.
 */
export const BTREE_HEIGHT_MAX = 40;

/**
 * Pages one move-right, stack re-find or sibling walk may visit before it
 * reports corruption rather than looping. Concurrent splits can only push
 * a key a few pages right between one backend's two looks; a million steps
 * is a cycle in the sibling links, and costs a few seconds to detect.
 */
export const BTREE_MOVE_RIGHT_MAX = 1_000_000;

/**
 * Times _bt_walk_left retries after its left sibling split or was deleted
 * under it (PostgreSQL's four hops per try plus an outer retry); each retry
 * needs a concurrent split or deletion, so more means a broken chain.
 */
export const BTREE_WALK_LEFT_TRIES_MAX = 1000;
/** Hops right from a stale left sibling before returning to the original page (PostgreSQL's 4). */
export const BTREE_WALK_LEFT_HOPS = 4;

/**
 * Times an insertion re-runs its unique check after waiting for a
 * conflicting inserter; each retry needs another transaction to insert the
 * same key and stay in progress, so the bound turns a livelock into an error.
 */
export const BTREE_UNIQUE_RETRIES_MAX = 1000;

/**
 * Split points a leaf split weighs for suffix truncation around the one that
 * best balances free space (PostgreSQL's MAX_LEAF_INTERVAL): more finds
 * shorter pivots, at one tuple comparison each.
 */
export const BT_SPLIT_LEAF_INTERVAL = 9;
/** The same for internal pages (MAX_INTERNAL_INTERVAL). */
export const BT_SPLIT_INTERNAL_INTERVAL = 18;

/**
 * Entries one bottom-up build sorts in memory (a stand-in for
 * maintenance_work_mem; PostgreSQL spills to temp files past it). Each
 * entry costs its values plus ~24 bytes of arrays: 16 million int4 keys is
 * about 600 MB, more than a browser tab should hold.
 */
export const BTREE_BUILD_ENTRIES_MAX = 16_000_000;

function assertBtreeConstants(): void {
  Assert(BT_MAX_ITEM_SIZE === 2704, 'BTMaxItemSize must match PostgreSQL (2704 for 8 KB pages)');
  Assert(MAX_INDEX_TUPLES_PER_PAGE === 408, 'MaxIndexTuplesPerPage must match PostgreSQL (408)');
  Assert(PAGE_CONTENTS + SIZE_OF_BT_META_PAGE_DATA <= BLCKSZ - SIZE_OF_BT_PAGE_OPAQUE, 'metapage data must fit');
  Assert(INDEX_MAX_KEYS <= BT_OFFSET_MASK, 'attribute counts must fit a pivot tuple');
  Assert(BT_MAX_ITEM_SIZE <= INDEX_SIZE_MASK, 'the largest item size must fit t_info');
  Assert(BTREE_DEFAULT_FILLFACTOR >= BTREE_MIN_FILLFACTOR && BTREE_DEFAULT_FILLFACTOR <= 100, 'default fill factor out of range');
}
assertBtreeConstants();
