/*
 * heapam_xlog.ts — the heap's WAL records (PostgreSQL's heapam_xlog.h),
 * their encoders and their little-endian layouts.
 *
 * RM_HEAP_ID records (info high nibble):
 *
 *   XLOG_HEAP_INSERT 0x00      main: offnum u16 | flags u8                       (3 bytes)
 *                              block 0 data: xl_heap_header + tuple bytes from t_bits on
 *   XLOG_HEAP_DELETE 0x10      main: xmax u32 | offnum u16 | infobits u8 | flags u8 (8 bytes)
 *                              (flags XLH_DELETE_IS_SUPER: a speculative insertion's super-delete)
 *   XLOG_HEAP_UPDATE 0x20      main: old_xmax u32 | old_offnum u16 | old_infobits u8 |
 *   XLOG_HEAP_HOT_UPDATE 0x40        flags u8 | new_xmax u32 | new_offnum u16    (14 bytes)
 *                              block 0 = new page (data: xl_heap_header + tuple),
 *                              block 1 = old page when it differs
 *   XLOG_HEAP_CONFIRM 0x50     main: offnum u16                                   (2 bytes)
 *                              block 0 = the page: a speculative insertion succeeded
 *                              (heap_finish_speculative), t_ctid becomes the tuple's own TID
 *   XLOG_HEAP_LOCK 0x60        main: locking_xid u32 | offnum u16 | infobits u8 | flags u8 (8 bytes)
 *                              block 0 = the page; a row lock (heap_lock_tuple) needs no data
 *   XLOG_HEAP_INIT_PAGE 0x80   or'ed in: block 0 is initialized, not read
 *
 *   xl_heap_header: t_infomask2 u16 | t_infomask u16 | t_hoff u8   (5 bytes)
 *
 * RM_HEAP2_ID records:
 *
 *   XLOG_HEAP2_PRUNE 0x10      main: conflict_horizon u32 | nredirected u16 | ndead u16
 *                              block 0 data: redirect pairs (from u16, to u16)...,
 *                              dead offsets u16..., unused offsets u16... (the rest)
 *   XLOG_HEAP2_VACUUM 0x20     main: nunused u16; block 0 data: unused offsets u16...
 *   XLOG_HEAP2_FREEZE_PAGE 0x30 main: conflict_horizon u32 | ntuples u16
 *                              block 0 data per tuple: offnum u16 | xmin u32 | xmax u32 |
 *                              infomask u16 | infomask2 u16              (14 bytes each)
 *   XLOG_HEAP2_VISIBLE 0x40    main: conflict_horizon u32 | flags u8
 *                              block 0 = VM page, block 1 = heap page
 *   XLOG_HEAP2_MULTI_INSERT 0x50  main: flags u8 | pad u8 | ntuples u16 |
 *                              offnum u16 per tuple (left out with XLOG_HEAP_INIT_PAGE,
 *                              where the tuples are at offsets 1..ntuples)
 *                              block 0 data, per tuple, each starting SHORTALIGN'd:
 *
 *       +------------+------------+-----------+--------+-------------------------+
 *       | datalen u16| infomask2  | infomask  | hoff u8| tuple bytes from t_bits |
 *       |            | u16        | u16       |        | on (datalen bytes)      |
 *       +------------+------------+-----------+--------+-------------------------+
 *       0            2            4           6        7              7 + datalen
 *
 *                              (xl_multi_insert_tuple: one record per page filled,
 *                              where XLOG_HEAP_INSERT costs a record per row)
 *
 * The freeze record carries the resulting header words rather than
 * PostgreSQL's freeze plans: simpler to redo, a few bytes more per tuple.
 */

export const XLOG_HEAP_INSERT = 0x00;
export const XLOG_HEAP_DELETE = 0x10;
export const XLOG_HEAP_UPDATE = 0x20;
export const XLOG_HEAP_HOT_UPDATE = 0x40;
/** heap_finish_speculative: main: offnum u16 (2 bytes) */
export const XLOG_HEAP_CONFIRM = 0x50;
/** heap_lock_tuple: main: locking_xid u32 | offnum u16 | infobits_set u8 | flags u8 (8 bytes) */
export const XLOG_HEAP_LOCK = 0x60;
export const XLOG_HEAP_OPMASK = 0x70;
export const XLOG_HEAP_INIT_PAGE = 0x80;

export const XLOG_HEAP2_PRUNE = 0x10;
export const XLOG_HEAP2_VACUUM = 0x20;
export const XLOG_HEAP2_FREEZE_PAGE = 0x30;
export const XLOG_HEAP2_VISIBLE = 0x40;
export const XLOG_HEAP2_MULTI_INSERT = 0x50;

/** xl_heap_insert.flags */
export const XLH_INSERT_ALL_VISIBLE_CLEARED = 0x01;
/** The tuple is a speculative insertion (ON CONFLICT); redo gives it its own TID all the same. */
export const XLH_INSERT_IS_SPECULATIVE = 0x04;
/** xl_heap_update.flags */
export const XLH_UPDATE_OLD_ALL_VISIBLE_CLEARED = 0x01;
export const XLH_UPDATE_NEW_ALL_VISIBLE_CLEARED = 0x02;
/** xl_heap_delete.flags */
export const XLH_DELETE_ALL_VISIBLE_CLEARED = 0x01;
/**
 * heap_abort_speculative ("super-delete"): the record's tuple gets xmin :=
 * InvalidTransactionId instead of an xmax, invisible to every snapshot at once.
 */
export const XLH_DELETE_IS_SUPER = 0x08;

/** infobits: the xmax-related infomask bits, compressed to a byte (compute_infobits). */
export const XLHL_XMAX_IS_MULTI = 0x01;
export const XLHL_XMAX_LOCK_ONLY = 0x02;
export const XLHL_XMAX_EXCL_LOCK = 0x04;
export const XLHL_XMAX_KEYSHR_LOCK = 0x08;
export const XLHL_KEYS_UPDATED = 0x10;

export const SIZE_OF_HEAP_HEADER = 5;
export const SIZE_OF_HEAP_INSERT = 3;
export const SIZE_OF_HEAP_DELETE = 8;
export const SIZE_OF_HEAP_UPDATE = 14;
export const SIZE_OF_HEAP_LOCK = 8;
export const SIZE_OF_HEAP_CONFIRM = 2;
export const SIZE_OF_HEAP_PRUNE = 8;
export const SIZE_OF_HEAP_FREEZE_TUPLE = 14;
/** xl_heap_multi_insert up to its offsets array. */
export const SIZE_OF_HEAP_MULTI_INSERT = 4;
/** xl_multi_insert_tuple: datalen, infomask2, infomask, hoff. */
export const SIZE_OF_MULTI_INSERT_TUPLE = 7;

/** SHORTALIGN: the start of each xl_multi_insert_tuple in a multi-insert record's block data. */
export function shortAlign(n: number): number {
  return (n + 1) & ~1;
}

export function getU16(b: Uint8Array, o: number): number {
  return b[o] | (b[o + 1] << 8);
}
export function putU16(b: Uint8Array, o: number, v: number): void {
  b[o] = v & 0xff;
  b[o + 1] = (v >>> 8) & 0xff;
}
export function getU32(b: Uint8Array, o: number): number {
  return (b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24)) >>> 0;
}
export function putU32(b: Uint8Array, o: number, v: number): void {
  b[o] = v & 0xff;
  b[o + 1] = (v >>> 8) & 0xff;
  b[o + 2] = (v >>> 16) & 0xff;
  b[o + 3] = (v >>> 24) & 0xff;
}

const INFO_NAMES: Record<number, string> = {
  [XLOG_HEAP_INSERT]: 'INSERT',
  [XLOG_HEAP_DELETE]: 'DELETE',
  [XLOG_HEAP_UPDATE]: 'UPDATE',
  [XLOG_HEAP_HOT_UPDATE]: 'HOT_UPDATE',
  [XLOG_HEAP_CONFIRM]: 'HEAP_CONFIRM',
  [XLOG_HEAP_LOCK]: 'LOCK',
};
const INFO2_NAMES: Record<number, string> = {
  [XLOG_HEAP2_PRUNE]: 'PRUNE',
  [XLOG_HEAP2_VACUUM]: 'VACUUM',
  [XLOG_HEAP2_FREEZE_PAGE]: 'FREEZE_PAGE',
  [XLOG_HEAP2_VISIBLE]: 'VISIBLE',
  [XLOG_HEAP2_MULTI_INSERT]: 'MULTI_INSERT',
};

export function heapIdentify(info: number): string {
  const name = INFO_NAMES[info & XLOG_HEAP_OPMASK] ?? `UNKNOWN (${info})`;
  return info & XLOG_HEAP_INIT_PAGE ? `${name}+INIT` : name;
}

export function heap2Identify(info: number): string {
  const name = INFO2_NAMES[info & XLOG_HEAP_OPMASK] ?? `UNKNOWN (${info})`;
  return (info & XLOG_HEAP_OPMASK) === XLOG_HEAP2_MULTI_INSERT && (info & XLOG_HEAP_INIT_PAGE) !== 0 ? `${name}+INIT` : name;
}

/** pg_waldump-style description of a heap record's main data. */
export function heapDesc(info: number, main: Uint8Array): string {
  switch (info & XLOG_HEAP_OPMASK) {
    case XLOG_HEAP_INSERT:
      return `off: ${getU16(main, 0)}, flags: 0x${main[2].toString(16).padStart(2, '0')}`;
    case XLOG_HEAP_DELETE:
      return `xmax: ${getU32(main, 0)}, off: ${getU16(main, 4)}, infobits: [${main[6]}], flags: 0x${main[7].toString(16).padStart(2, '0')}`;
    case XLOG_HEAP_CONFIRM:
      return `off: ${getU16(main, 0)}`;
    case XLOG_HEAP_LOCK:
      return `xmax: ${getU32(main, 0)}, off: ${getU16(main, 4)}, infobits: [${main[6]}], flags: 0x${main[7].toString(16).padStart(2, '0')}`;
    case XLOG_HEAP_UPDATE:
    case XLOG_HEAP_HOT_UPDATE:
      return `old_xmax: ${getU32(main, 0)}, old_off: ${getU16(main, 4)}, old_infobits: [${main[6]}], flags: 0x${main[7].toString(16).padStart(2, '0')}, new_xmax: ${getU32(main, 8)}, new_off: ${getU16(main, 12)}`;
    default:
      return '';
  }
}

export function heap2Desc(info: number, main: Uint8Array): string {
  switch (info & XLOG_HEAP_OPMASK) {
    case XLOG_HEAP2_PRUNE:
      return `snapshotConflictHorizon: ${getU32(main, 0)}, nredirected: ${getU16(main, 4)}, ndead: ${getU16(main, 6)}`;
    case XLOG_HEAP2_VACUUM:
      return `nunused: ${getU16(main, 0)}`;
    case XLOG_HEAP2_FREEZE_PAGE:
      return `snapshotConflictHorizon: ${getU32(main, 0)}, ntuples: ${getU16(main, 4)}`;
    case XLOG_HEAP2_VISIBLE:
      return `snapshotConflictHorizon: ${getU32(main, 0)}, flags: 0x${main[4].toString(16).padStart(2, '0')}`;
    case XLOG_HEAP2_MULTI_INSERT:
      return `ntuples: ${getU16(main, 2)}, flags: 0x${main[0].toString(16).padStart(2, '0')}`;
    default:
      return '';
  }
}
