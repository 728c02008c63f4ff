import { describe, expect, it } from 'vitest';
import * as H from './htup_details.ts';
import { makeTid } from './itemptr.ts';

describe('infomask constants', () => {
  it('have PostgreSQL values', () => {
    expect(H.HEAP_HASNULL).toBe(0x0001);
    expect(H.HEAP_HASVARWIDTH).toBe(0x0002);
    expect(H.HEAP_HASEXTERNAL).toBe(0x0004);
    expect(H.HEAP_XMAX_KEYSHR_LOCK).toBe(0x0010);
    expect(H.HEAP_COMBOCID).toBe(0x0020);
    expect(H.HEAP_XMAX_EXCL_LOCK).toBe(0x0040);
    expect(H.HEAP_XMAX_LOCK_ONLY).toBe(0x0080);
    expect(H.HEAP_XMAX_SHR_LOCK).toBe(0x0050);
    expect(H.HEAP_LOCK_MASK).toBe(0x0050);
    expect(H.HEAP_XMIN_COMMITTED).toBe(0x0100);
    expect(H.HEAP_XMIN_INVALID).toBe(0x0200);
    expect(H.HEAP_XMIN_FROZEN).toBe(0x0300);
    expect(H.HEAP_XMAX_COMMITTED).toBe(0x0400);
    expect(H.HEAP_XMAX_INVALID).toBe(0x0800);
    expect(H.HEAP_XMAX_IS_MULTI).toBe(0x1000);
    expect(H.HEAP_UPDATED).toBe(0x2000);
    expect(H.HEAP_XACT_MASK).toBe(0xfff0);
    expect(H.HEAP_XMAX_BITS).toBe(0x1cd0);
    expect(H.HEAP_NATTS_MASK).toBe(0x07ff);
    expect(H.HEAP_KEYS_UPDATED).toBe(0x2000);
    expect(H.HEAP_HOT_UPDATED).toBe(0x4000);
    expect(H.HEAP_ONLY_TUPLE).toBe(0x8000);
    expect(H.HEAP2_XACT_MASK).toBe(0xe000);
  });

  it('classify xmax locks as htup_details.h does', () => {
    expect(H.xmaxIsLockedOnly(H.HEAP_XMAX_LOCK_ONLY)).toBe(true);
    expect(H.xmaxIsLockedOnly(H.HEAP_XMAX_EXCL_LOCK)).toBe(true);
    expect(H.xmaxIsLockedOnly(H.HEAP_XMAX_EXCL_LOCK | H.HEAP_XMAX_IS_MULTI)).toBe(false);
    expect(H.xmaxIsLockedOnly(0)).toBe(false);
    expect(H.xmaxIsShrLocked(H.HEAP_XMAX_SHR_LOCK)).toBe(true);
    expect(H.xmaxIsExclLocked(H.HEAP_XMAX_SHR_LOCK)).toBe(false);
    expect(H.xmaxIsExclLocked(H.HEAP_XMAX_EXCL_LOCK)).toBe(true);
    expect(H.xmaxIsKeyShrLocked(H.HEAP_XMAX_KEYSHR_LOCK)).toBe(true);
  });
});

describe('header layout', () => {
  it('puts t_hoff at MAXALIGN(23 + bitmap)', () => {
    expect(H.SIZEOF_HEAP_TUPLE_HEADER).toBe(23);
    expect(H.bitmapLen(1)).toBe(1);
    expect(H.bitmapLen(8)).toBe(1);
    expect(H.bitmapLen(9)).toBe(2);
    expect(H.heapTupleHoff(100, false)).toBe(24);
    expect(H.heapTupleHoff(8, true)).toBe(24);
    expect(H.heapTupleHoff(9, true)).toBe(32);
    expect(H.heapTupleHoff(72, true)).toBe(32);
    expect(H.heapTupleHoff(73, true)).toBe(40);
    expect(H.heapTupleHoff(1600, true)).toBe(224);
  });

  it('round-trips every field at an unaligned offset of a shared buffer, at the documented byte positions', () => {
    const pool = new Uint8Array(new SharedArrayBuffer(256));
    const page = pool.subarray(64, 192);
    const off = 13;
    H.htupSetXmin(page, off, 0xdeadbeef);
    H.htupSetXmax(page, off, 0x01020304);
    H.htupSetCid(page, off, 0xfffffffe);
    H.htupSetCtid(page, off, 0x00070008, 0x0102);
    H.htupSetInfomask2(page, off, 0x4005);
    H.htupSetInfomask(page, off, 0x0903);
    H.htupSetHoff(page, off, 32);

    expect(H.htupGetXmin(page, off)).toBe(0xdeadbeef);
    expect(H.htupGetXmax(page, off)).toBe(0x01020304);
    expect(H.htupGetCid(page, off)).toBe(0xfffffffe);
    expect(H.htupGetCtidBlock(page, off)).toBe(0x00070008);
    expect(H.htupGetCtidOffset(page, off)).toBe(0x0102);
    expect(H.htupGetCtid(page, off)).toBe(makeTid(0x00070008, 0x0102));
    expect(H.htupGetInfomask2(page, off)).toBe(0x4005);
    expect(H.htupGetNatts(page, off)).toBe(5);
    expect(H.htupGetInfomask(page, off)).toBe(0x0903);
    expect(H.htupGetHoff(page, off)).toBe(32);

    const at = 64 + off;
    expect([...pool.subarray(at, at + 23)]).toEqual([
      0xef, 0xbe, 0xad, 0xde, // t_xmin
      0x04, 0x03, 0x02, 0x01, // t_xmax
      0xfe, 0xff, 0xff, 0xff, // t_cid
      0x07, 0x00, 0x08, 0x00, 0x02, 0x01, // t_ctid: bi_hi, bi_lo, posid
      0x05, 0x40, // t_infomask2
      0x03, 0x09, // t_infomask
      32, // t_hoff
    ]);
  });

  it('sets the packed ctid form too', () => {
    const b = new Uint8Array(24);
    H.htupSetCtidTid(b, 0, makeTid(123456, 7));
    expect(H.htupGetCtidBlock(b, 0)).toBe(123456);
    expect(H.htupGetCtidOffset(b, 0)).toBe(7);
  });

  it('keeps the infomask2 flags when natts changes and natts when flags change', () => {
    const b = new Uint8Array(24);
    H.htupSetInfomask2(b, 0, H.HEAP_HOT_UPDATED | H.HEAP_ONLY_TUPLE | 3);
    H.htupSetNatts(b, 0, 1600);
    expect(H.htupGetNatts(b, 0)).toBe(1600);
    expect(H.htupIsHotUpdated(b, 0)).toBe(true);
    expect(H.htupIsHeapOnly(b, 0)).toBe(true);
    H.htupClearInfomask2(b, 0, H.HEAP_HOT_UPDATED);
    H.htupOrInfomask2(b, 0, H.HEAP_KEYS_UPDATED);
    expect(H.htupIsHotUpdated(b, 0)).toBe(false);
    expect(H.htupGetInfomask2(b, 0) & H.HEAP_KEYS_UPDATED).toBe(H.HEAP_KEYS_UPDATED);
    expect(H.htupGetNatts(b, 0)).toBe(1600);
  });

  it('reads hint bits and the frozen state', () => {
    const b = new Uint8Array(24);
    H.htupSetInfomask(b, 0, H.HEAP_HASNULL | H.HEAP_HASVARWIDTH);
    expect(H.htupHasNulls(b, 0)).toBe(true);
    expect(H.htupHasVarWidth(b, 0)).toBe(true);
    expect(H.htupHasExternal(b, 0)).toBe(false);
    expect(H.htupXminCommitted(b, 0)).toBe(false);
    H.htupOrInfomask(b, 0, H.HEAP_XMIN_INVALID);
    expect(H.htupXminInvalid(b, 0)).toBe(true);
    H.htupOrInfomask(b, 0, H.HEAP_XMIN_COMMITTED);
    expect(H.htupXminFrozen(b, 0)).toBe(true);
    expect(H.htupXminInvalid(b, 0)).toBe(false);
    expect(H.htupXminCommitted(b, 0)).toBe(true);
    H.htupClearInfomask(b, 0, H.HEAP_XMIN_FROZEN);
    expect(H.htupGetInfomask(b, 0)).toBe(H.HEAP_HASNULL | H.HEAP_HASVARWIDTH);
  });

  it('reads the null bitmap, 1 meaning not null', () => {
    const b = new Uint8Array(32);
    H.htupSetInfomask(b, 0, H.HEAP_HASNULL);
    b[H.T_BITS] = 0b1111_1101;
    b[H.T_BITS + 1] = 0b0000_0000;
    expect(H.htupAttIsNull(b, 0, 1)).toBe(false);
    expect(H.htupAttIsNull(b, 0, 2)).toBe(true);
    expect(H.htupAttIsNull(b, 0, 8)).toBe(false);
    expect(H.htupAttIsNull(b, 0, 9)).toBe(true);
    H.htupSetInfomask(b, 0, 0);
    expect(H.htupAttIsNull(b, 0, 2)).toBe(false);
  });

  it('refuses a t_hoff that is not MAXALIGNed', () => {
    expect(() => H.htupSetHoff(new Uint8Array(24), 0, 25)).toThrow(/not MAXALIGNed/);
  });
});
