import { describe, expect, it } from 'vitest';
import {
  INVALID_BLOCK_NUMBER,
  INVALID_TID,
  makeTid,
  readItemPointer,
  tidBlock,
  tidIsValid,
  tidOffset,
  writeItemPointer,
} from './itemptr.ts';

describe('packed TIDs', () => {
  it('round-trip block and offset over the whole range', () => {
    for (const block of [0, 1, 65535, 65536, 0x12345678, 0xfffffffe, INVALID_BLOCK_NUMBER]) {
      for (const offset of [0, 1, 291, 65535]) {
        const t = makeTid(block, offset);
        expect(tidBlock(t)).toBe(block);
        expect(tidOffset(t)).toBe(offset);
        expect(Number.isSafeInteger(t)).toBe(true);
      }
    }
  });

  it('order by block, then offset, as ItemPointerCompare does', () => {
    expect(makeTid(1, 65535) < makeTid(2, 1)).toBe(true);
    expect(makeTid(7, 3) < makeTid(7, 4)).toBe(true);
    expect(makeTid(0x80000000, 1) > makeTid(0x7fffffff, 65535)).toBe(true);
  });

  it('are invalid when the offset is 0', () => {
    expect(tidIsValid(INVALID_TID)).toBe(false);
    expect(tidBlock(INVALID_TID)).toBe(0xffffffff);
    expect(tidIsValid(makeTid(5, 0))).toBe(false);
    expect(tidIsValid(makeTid(0, 1))).toBe(true);
  });
});

describe('on-disk ItemPointerData', () => {
  it('is bi_hi, bi_lo, ip_posid as little-endian u16s', () => {
    const b = new Uint8Array(10).fill(0xaa);
    writeItemPointer(b, 1, 0x12345678, 0x9abc);
    expect([...b]).toEqual([0xaa, 0x34, 0x12, 0x78, 0x56, 0xbc, 0x9a, 0xaa, 0xaa, 0xaa]);
    expect(readItemPointer(b, 1)).toBe(makeTid(0x12345678, 0x9abc));
  });

  it('round-trips the invalid pointer', () => {
    const b = new Uint8Array(6);
    writeItemPointer(b, 0, INVALID_BLOCK_NUMBER, 0);
    expect([...b]).toEqual([0xff, 0xff, 0xff, 0xff, 0, 0]);
    expect(readItemPointer(b, 0)).toBe(INVALID_TID);
  });
});
