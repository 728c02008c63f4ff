/*
 * itemptr.ts — tuple identifiers (TIDs), PostgreSQL's ItemPointerData.
 *
 * Exports: Tid, makeTid, tidBlock, tidOffset, tidIsValid, INVALID_TID,
 *          INVALID_BLOCK_NUMBER, INVALID_OFFSET_NUMBER, FIRST_OFFSET_NUMBER,
 *          readItemPointer, writeItemPointer, SIZEOF_ITEM_POINTER
 *
 * On disk (heap tuple t_ctid, index tuple t_tid) a TID is 6 bytes:
 *
 *   +-----------+-----------+-----------+
 *   | bi_hi u16 | bi_lo u16 | posid u16 |    block = bi_hi << 16 | bi_lo
 *   +-----------+-----------+-----------+
 *   0           2           4           6
 *
 * In JavaScript a TID is one number, block * 65536 + offset. TIDs are passed
 * around constantly (scans, index entries, update chains), and a plain number
 * costs no allocation, compares with < in (block, offset) order as
 * ItemPointerCompare does, and is exact: the largest, 2^48 - 1, is far below
 * 2^53. Bitwise operators only see 32 bits, so block and offset are taken
 * apart with arithmetic.
 */

/** A tuple identifier packed as block * 65536 + offset. */
export type Tid = number;

/** InvalidBlockNumber: a block number no relation reaches. */
export const INVALID_BLOCK_NUMBER = 0xffffffff;
/** InvalidOffsetNumber: line pointers are numbered from 1. */
export const INVALID_OFFSET_NUMBER = 0;
/** FirstOffsetNumber. */
export const FIRST_OFFSET_NUMBER = 1;
/** Bytes of an on-disk ItemPointerData. */
export const SIZEOF_ITEM_POINTER = 6;

const OFFSET_RANGE = 65536;

export function makeTid(block: number, offset: number): Tid {
  return block * OFFSET_RANGE + offset;
}

export function tidBlock(tid: Tid): number {
  return Math.floor(tid / OFFSET_RANGE);
}

export function tidOffset(tid: Tid): number {
  return tid % OFFSET_RANGE;
}

/** ItemPointerSetInvalid's value: (InvalidBlockNumber, InvalidOffsetNumber). */
export const INVALID_TID: Tid = makeTid(INVALID_BLOCK_NUMBER, INVALID_OFFSET_NUMBER);

/** ItemPointerIsValid: PostgreSQL tests only the offset, which is never 0 for a real tuple. */
export function tidIsValid(tid: Tid): boolean {
  return tidOffset(tid) !== INVALID_OFFSET_NUMBER;
}

/** Reads the 6-byte ItemPointerData at off. */
export function readItemPointer(b: Uint8Array, off: number): Tid {
  const hi = b[off] | (b[off + 1] << 8);
  const lo = b[off + 2] | (b[off + 3] << 8);
  const pos = b[off + 4] | (b[off + 5] << 8);
  return (hi * OFFSET_RANGE + lo) * OFFSET_RANGE + pos;
}

/** Writes block and offset as a 6-byte ItemPointerData at off. */
export function writeItemPointer(b: Uint8Array, off: number, block: number, offset: number): void {
  const hi = Math.floor(block / OFFSET_RANGE);
  b[off] = hi;
  b[off + 1] = hi >>> 8;
  b[off + 2] = block;
  b[off + 3] = block >>> 8;
  b[off + 4] = offset;
  b[off + 5] = offset >>> 8;
}
