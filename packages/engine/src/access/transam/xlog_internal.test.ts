import { describe, expect, it } from 'vitest';
import { lsnToString, lsnToString08, parseLsn, getU64, putU64 } from './xlogdefs.ts';
import { isValidWalSegSize, parseXLogFileName, xlByteToSeg, xlogFileName, xlogSegmentOffset } from './xlog_internal.ts';

const MB16 = 16 * 1024 * 1024;

describe('LSNs', () => {
  it('print as PostgreSQL prints them', () => {
    expect(lsnToString(0x1000028)).toBe('0/1000028');
    expect(lsnToString(0x1_0000_0000 + 0xab)).toBe('1/AB');
    expect(lsnToString08(0x1000028)).toBe('0/01000028');
    expect(parseLsn('1/AB')).toBe(0x1_0000_0000 + 0xab);
    expect(parseLsn('nope')).toBeNull();
  });

  it('round-trip as little-endian uint64 up to 2^53', () => {
    const b = new Uint8Array(8);
    for (const v of [0, 1, 0xffffffff, 0x1_0000_0000, Number.MAX_SAFE_INTEGER]) {
      putU64(b, 0, v);
      expect(getU64(b, 0)).toBe(v);
    }
    putU64(b, 0, 0x1_0000_0002);
    expect([...b]).toEqual([2, 0, 0, 0, 1, 0, 0, 0]);
  });
});

describe('segment files', () => {
  it('are named TTTTTTTTXXXXXXXXYYYYYYYY as in PostgreSQL', () => {
    expect(xlogFileName(1, 1, MB16)).toBe('000000010000000000000001');
    expect(xlogFileName(1, 0x100, MB16)).toBe('000000010000000100000000');
    expect(xlogFileName(1, xlByteToSeg(0x1_0300_0000, MB16), MB16)).toBe('000000010000000100000003');
    expect(xlogFileName(1, 3, 64 * 1024)).toBe('000000010000000000000003');
    expect(parseXLogFileName('000000010000000100000003', MB16)).toEqual({ tli: 1, segno: 0x103 });
    expect(parseXLogFileName('xlogtemp.3', MB16)).toBeNull();
    expect(xlogSegmentOffset(0x1000028, MB16)).toBe(0x28);
  });

  it('accept power-of-two sizes from 64 KB to 1 GB', () => {
    expect(isValidWalSegSize(64 * 1024)).toBe(true);
    expect(isValidWalSegSize(MB16)).toBe(true);
    expect(isValidWalSegSize(32 * 1024)).toBe(false);
    expect(isValidWalSegSize(3 * 1024 * 1024)).toBe(false);
    expect(isValidWalSegSize(2 * 1024 * 1024 * 1024)).toBe(false);
  });
});
