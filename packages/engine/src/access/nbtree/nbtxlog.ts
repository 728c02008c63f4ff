/*
 * nbtxlog.ts — the B-tree's WAL records: kinds, byte layouts, and how
 * pg_waldump prints them (PostgreSQL's nbtxlog.h and rmgrdesc/nbtdesc.c).
 * Replay is in nbtredo.ts.
 *
 * Exports: XLOG_BTREE_* kinds, SIZE_OF_* record sizes, field offsets,
 *          BtXlMetadata, writeXlMetadata, readXlMetadata, btreeDesc,
 *          btreeIdentify, putU16/putU32/getU16/getU32/putU64/getU64.
 *
 * Every record names its pages as block references (registerBuffer), in
 * PostgreSQL's numbering, and carries what redo needs to repeat the change
 * on each (registerBufData). Multi-byte fields are little-endian.
 *
 *   kind (info)                 main data                                  blocks
 *   INSERT_LEAF   0x00          offnum u16                                 0 leaf: the new tuple
 *   INSERT_UPPER  0x10          offnum u16                                 0 internal page: the new pivot
 *                                                                          1 child whose split completes
 *   INSERT_META   0x20          offnum u16                                 as UPPER, and 2 metapage
 *                                                                          (WILL_INIT): xl_btree_metadata
 *   SPLIT_L       0x30          level u32 | firstrightoff u16 |            0 left (original) page: new item
 *   SPLIT_R       0x40          newitemoff u16 | postingoff u16            if it went left, then the left
 *                               (10 bytes; _L: new item went left)         page's new high key
 *                                                                          1 new right page (WILL_INIT): its
 *                                                                          items, pd_upper..pd_special
 *                                                                          2 old right sibling (if any)
 *                                                                          3 child whose split completes
 *                                                                          (internal splits)
 *   DELETE        0x70          snapshotConflictHorizon u32 |              0 leaf: ndeleted offsets u16
 *                               ndeleted u16 | nupdated u16 |
 *                               isCatalogRel u8 (9 bytes)
 *   UNLINK_PAGE   0x80          leftsib u32 | rightsib u32 | level u32 |   0 target (WILL_INIT)
 *   UNLINK_PAGE_META 0x90       pad u32 | safexid u64 | leafleftsib u32 |  1 left sibling (if any)
 *                               leafrightsib u32 | leaftopparent u32       2 right sibling
 *                               (36 bytes)                                 3 leaf (WILL_INIT), if not target
 *                                                                          4 metapage (_META): metadata
 *   NEWROOT       0xA0          rootblk u32 | level u32                    0 new root (WILL_INIT): its items
 *                                                                          1 left child (if level > 0)
 *                                                                          2 metapage (WILL_INIT): metadata
 *   MARK_PAGE_HALFDEAD 0xB0     poffset u16 | pad u16 | leafblk u32 |      0 leaf (WILL_INIT)
 *                               leftblk u32 | rightblk u32 |               1 parent of the subtree
 *                               topparent u32 (20 bytes)
 *   VACUUM        0xC0          ndeleted u16 | nupdated u16                0 leaf: ndeleted offsets u16
 *   META_CLEANUP  0xE0          -                                          0 metapage (WILL_INIT): metadata
 *
 * xl_btree_metadata (28 bytes):
 *   0 version u32 | 4 root u32 | 8 level u32 | 12 fastroot u32 | 16 fastlevel u32 |
 *   20 last_cleanup_num_delpages u32 | 24 allequalimage u8 | 25..27 pad
 *
 * Kinds PostgreSQL has that tabgres never writes: INSERT_POST and DEDUP
 * (deduplication, posting lists) and REUSE_PAGE (only for hot standby).
 */

import { getU16, getU32, getU64, putU16, putU32, putU64 } from '../transam/xlogdefs.ts';
import type { DecodedXLogRecord } from '../transam/xlogreader.ts';

export { getU16, getU32, getU64, putU16, putU32, putU64 };

export const XLOG_BTREE_INSERT_LEAF = 0x00;
export const XLOG_BTREE_INSERT_UPPER = 0x10;
export const XLOG_BTREE_INSERT_META = 0x20;
export const XLOG_BTREE_SPLIT_L = 0x30;
export const XLOG_BTREE_SPLIT_R = 0x40;
export const XLOG_BTREE_INSERT_POST = 0x50;
export const XLOG_BTREE_DEDUP = 0x60;
export const XLOG_BTREE_DELETE = 0x70;
export const XLOG_BTREE_UNLINK_PAGE = 0x80;
export const XLOG_BTREE_UNLINK_PAGE_META = 0x90;
export const XLOG_BTREE_NEWROOT = 0xa0;
export const XLOG_BTREE_MARK_PAGE_HALFDEAD = 0xb0;
export const XLOG_BTREE_VACUUM = 0xc0;
export const XLOG_BTREE_REUSE_PAGE = 0xd0;
export const XLOG_BTREE_META_CLEANUP = 0xe0;

/* xl_btree_insert */
export const SIZE_OF_BTREE_INSERT = 2;

/* xl_btree_split */
export const XLS_LEVEL = 0;
export const XLS_FIRSTRIGHTOFF = 4;
export const XLS_NEWITEMOFF = 6;
export const XLS_POSTINGOFF = 8;
export const SIZE_OF_BTREE_SPLIT = 10;

/* xl_btree_delete */
export const XLD_HORIZON = 0;
export const XLD_NDELETED = 4;
export const XLD_NUPDATED = 6;
export const XLD_IS_CATALOG = 8;
export const SIZE_OF_BTREE_DELETE = 9;

/* xl_btree_vacuum */
export const XLV_NDELETED = 0;
export const XLV_NUPDATED = 2;
export const SIZE_OF_BTREE_VACUUM = 4;

/* xl_btree_unlink_page */
export const XLU_LEFTSIB = 0;
export const XLU_RIGHTSIB = 4;
export const XLU_LEVEL = 8;
export const XLU_SAFEXID = 16;
export const XLU_LEAFLEFTSIB = 24;
export const XLU_LEAFRIGHTSIB = 28;
export const XLU_LEAFTOPPARENT = 32;
export const SIZE_OF_BTREE_UNLINK_PAGE = 36;

/* xl_btree_newroot */
export const XLN_ROOTBLK = 0;
export const XLN_LEVEL = 4;
export const SIZE_OF_BTREE_NEWROOT = 8;

/* xl_btree_mark_page_halfdead */
export const XLH_POFFSET = 0;
export const XLH_LEAFBLK = 4;
export const XLH_LEFTBLK = 8;
export const XLH_RIGHTBLK = 12;
export const XLH_TOPPARENT = 16;
export const SIZE_OF_BTREE_MARK_PAGE_HALFDEAD = 20;

/* xl_btree_metadata */
export const SIZE_OF_XL_BTREE_METADATA = 28;

/** The metapage fields a record carries for redo to rewrite the metapage from scratch. */
export interface BtXlMetadata {
  version: number;
  root: number;
  level: number;
  fastroot: number;
  fastlevel: number;
  lastCleanupNumDelpages: number;
  allequalimage: boolean;
}

export function writeXlMetadata(b: Uint8Array, off: number, m: BtXlMetadata): void {
  putU32(b, off, m.version);
  putU32(b, off + 4, m.root);
  putU32(b, off + 8, m.level);
  putU32(b, off + 12, m.fastroot);
  putU32(b, off + 16, m.fastlevel);
  putU32(b, off + 20, m.lastCleanupNumDelpages);
  b[off + 24] = m.allequalimage ? 1 : 0;
  b[off + 25] = 0;
  b[off + 26] = 0;
  b[off + 27] = 0;
}

export function readXlMetadata(b: Uint8Array, off: number): BtXlMetadata {
  return {
    version: getU32(b, off),
    root: getU32(b, off + 4),
    level: getU32(b, off + 8),
    fastroot: getU32(b, off + 12),
    fastlevel: getU32(b, off + 16),
    lastCleanupNumDelpages: getU32(b, off + 20),
    allequalimage: b[off + 24] !== 0,
  };
}

const NAMES = new Map<number, string>([
  [XLOG_BTREE_INSERT_LEAF, 'INSERT_LEAF'],
  [XLOG_BTREE_INSERT_UPPER, 'INSERT_UPPER'],
  [XLOG_BTREE_INSERT_META, 'INSERT_META'],
  [XLOG_BTREE_SPLIT_L, 'SPLIT_L'],
  [XLOG_BTREE_SPLIT_R, 'SPLIT_R'],
  [XLOG_BTREE_INSERT_POST, 'INSERT_POST'],
  [XLOG_BTREE_DEDUP, 'DEDUP'],
  [XLOG_BTREE_DELETE, 'DELETE'],
  [XLOG_BTREE_UNLINK_PAGE, 'UNLINK_PAGE'],
  [XLOG_BTREE_UNLINK_PAGE_META, 'UNLINK_PAGE_META'],
  [XLOG_BTREE_NEWROOT, 'NEWROOT'],
  [XLOG_BTREE_MARK_PAGE_HALFDEAD, 'MARK_PAGE_HALFDEAD'],
  [XLOG_BTREE_VACUUM, 'VACUUM'],
  [XLOG_BTREE_REUSE_PAGE, 'REUSE_PAGE'],
  [XLOG_BTREE_META_CLEANUP, 'META_CLEANUP'],
]);

/** btree_identify: the record kind's name. */
export function btreeIdentify(info: number): string | null {
  return NAMES.get(info & 0xf0) ?? null;
}

/** btree_desc: the record's main data as pg_waldump prints it. */
export function btreeDesc(record: DecodedXLogRecord): string {
  const m = record.mainData;
  switch (record.info & 0xf0) {
    case XLOG_BTREE_INSERT_LEAF:
    case XLOG_BTREE_INSERT_UPPER:
    case XLOG_BTREE_INSERT_META:
      return `off: ${getU16(m, 0)}`;
    case XLOG_BTREE_SPLIT_L:
    case XLOG_BTREE_SPLIT_R:
      return `level: ${getU32(m, XLS_LEVEL)}, firstrightoff: ${getU16(m, XLS_FIRSTRIGHTOFF)}, newitemoff: ${getU16(m, XLS_NEWITEMOFF)}, postingoff: ${getU16(m, XLS_POSTINGOFF)}`;
    case XLOG_BTREE_DELETE:
      return `snapshotConflictHorizon: ${getU32(m, XLD_HORIZON)}, ndeleted: ${getU16(m, XLD_NDELETED)}, nupdated: ${getU16(m, XLD_NUPDATED)}, isCatalogRel: ${m[XLD_IS_CATALOG] !== 0 ? 'T' : 'F'}`;
    case XLOG_BTREE_VACUUM:
      return `ndeleted: ${getU16(m, XLV_NDELETED)}, nupdated: ${getU16(m, XLV_NUPDATED)}`;
    case XLOG_BTREE_MARK_PAGE_HALFDEAD:
      return `topparent: ${getU32(m, XLH_TOPPARENT)}, leaf: ${getU32(m, XLH_LEAFBLK)}, left: ${getU32(m, XLH_LEFTBLK)}, right: ${getU32(m, XLH_RIGHTBLK)}, poffset: ${getU16(m, XLH_POFFSET)}`;
    case XLOG_BTREE_UNLINK_PAGE:
    case XLOG_BTREE_UNLINK_PAGE_META: {
      const fx = getU64(m, XLU_SAFEXID);
      return `left: ${getU32(m, XLU_LEFTSIB)}, right: ${getU32(m, XLU_RIGHTSIB)}, level: ${getU32(m, XLU_LEVEL)}, ` +
        `safexid: ${Math.floor(fx / 4294967296)}:${fx >>> 0}, leafleft: ${getU32(m, XLU_LEAFLEFTSIB)}, ` +
        `leafright: ${getU32(m, XLU_LEAFRIGHTSIB)}, leaftopparent: ${getU32(m, XLU_LEAFTOPPARENT)}`;
    }
    case XLOG_BTREE_NEWROOT:
      return `level: ${getU32(m, XLN_LEVEL)}`;
    case XLOG_BTREE_META_CLEANUP: {
      const blk = record.getBlock(0);
      if (blk === undefined || !blk.hasData) return '';
      return `last_cleanup_num_delpages: ${readXlMetadata(blk.data, 0).lastCleanupNumDelpages}`;
    }
    default:
      return '';
  }
}
