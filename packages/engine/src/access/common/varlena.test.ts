import { describe, expect, it } from 'vitest';
import { isPgError } from '../../utils/errors.ts';
import { byteaType, int4Type, textType } from './testtypes.ts';
import {
  MAX_VARLENA_SIZE,
  RawVarlena,
  TOAST_LZ4_COMPRESSION_ID,
  TOAST_PGLZ_COMPRESSION_ID,
  TOAST_POINTER_SIZE,
  VARATT_SHORT_MAX,
  VARTAG_ONDISK,
  decodeVarlenaPayload,
  isRawVarlena,
  makeCompressedVarlena,
  makeToastPointer,
  makeVarlena,
  readCompressedMethod,
  readCompressedRawSize,
  readToastPointer,
  toastPointerIsCompressed,
  vardataAnyOffset,
  varattIs4B,
  varattIs4BU,
  varattIsCompressed,
  varattIsExtended,
  varattIsExternal,
  varattIsShort,
  varsize4B,
  varsizeAny,
  varsizeAnyExhdr,
  varsizeShort,
  writeCompressedVarlena,
  writeVarlena4B,
  writeVarlenaShort,
} from './varlena.ts';

const abc = new TextEncoder().encode('abc');

describe('varlena header forms', () => {
  it('writes a 4-byte header as len << 2, little-endian, length including the header', () => {
    const b = new Uint8Array(16).fill(0xee);
    expect(writeVarlena4B(b, 3, abc)).toBe(7);
    expect([...b.subarray(3, 10)]).toEqual([7 << 2, 0, 0, 0, 0x61, 0x62, 0x63]);
    expect(varattIs4B(b, 3)).toBe(true);
    expect(varattIs4BU(b, 3)).toBe(true);
    expect(varattIsShort(b, 3)).toBe(false);
    expect(varattIsExtended(b, 3)).toBe(false);
    expect(varsize4B(b, 3)).toBe(7);
    expect(varsizeAny(b, 3)).toBe(7);
    expect(varsizeAnyExhdr(b, 3)).toBe(3);
    expect(vardataAnyOffset(b, 3)).toBe(7);
  });

  it('writes a 1-byte header as (len << 1) | 1', () => {
    const b = new Uint8Array(8);
    expect(writeVarlenaShort(b, 1, abc)).toBe(4);
    expect([...b.subarray(1, 5)]).toEqual([0x09, 0x61, 0x62, 0x63]);
    expect(varattIsShort(b, 1)).toBe(true);
    expect(varattIsExternal(b, 1)).toBe(false);
    expect(varattIsExtended(b, 1)).toBe(true);
    expect(varsizeShort(b, 1)).toBe(4);
    expect(varsizeAny(b, 1)).toBe(4);
    expect(varsizeAnyExhdr(b, 1)).toBe(3);
    expect(vardataAnyOffset(b, 1)).toBe(2);
  });

  it('stores the empty value in one byte, 0x03, never 0x01', () => {
    const b = new Uint8Array(1);
    writeVarlenaShort(b, 0, new Uint8Array(0));
    expect(b[0]).toBe(0x03);
    expect(varattIsExternal(b, 0)).toBe(false);
    expect(varsizeAny(b, 0)).toBe(1);
  });

  it('caps the short form at 127 bytes including the header', () => {
    const b = new Uint8Array(200);
    expect(writeVarlenaShort(b, 0, new Uint8Array(126))).toBe(VARATT_SHORT_MAX);
    expect(b[0]).toBe(0xff);
    expect(varsizeAny(b, 0)).toBe(127);
    expect(() => writeVarlenaShort(b, 0, new Uint8Array(127))).toThrow(/exceeds 127/);
  });

  it('keeps raw size and method of an inline-compressed value in va_tcinfo', () => {
    const b = new Uint8Array(32);
    const data = new Uint8Array([1, 2, 3, 4, 5]);
    expect(writeCompressedVarlena(b, 2, 5000, TOAST_LZ4_COMPRESSION_ID, data)).toBe(13);
    expect(b[2] & 0x03).toBe(0x02);
    expect(varattIsCompressed(b, 2)).toBe(true);
    expect(varattIs4B(b, 2)).toBe(true);
    expect(varattIs4BU(b, 2)).toBe(false);
    expect(varsizeAny(b, 2)).toBe(13);
    expect(readCompressedRawSize(b, 2)).toBe(5000);
    expect(readCompressedMethod(b, 2)).toBe(TOAST_LZ4_COMPRESSION_ID);
    // va_tcinfo = 5000 | (1 << 30), little-endian.
    const tcinfo = (b[6] | (b[7] << 8) | (b[8] << 16) | (b[9] << 24)) >>> 0;
    expect(tcinfo).toBe((5000 | (1 << 30)) >>> 0);
    expect([...b.subarray(10, 15)]).toEqual([1, 2, 3, 4, 5]);
  });

  it('lays out an external TOAST pointer as 0x01, tag 18, varatt_external', () => {
    const raw = makeToastPointer({ rawSize: 100004, extSize: 40000, method: TOAST_PGLZ_COMPRESSION_ID, valueId: 16500, toastRelId: 16390 });
    const b = raw.bytes;
    expect(b.length).toBe(TOAST_POINTER_SIZE);
    expect(b[0]).toBe(0x01);
    expect(b[1]).toBe(VARTAG_ONDISK);
    const u32 = (o: number): number => (b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24)) >>> 0;
    expect(u32(2)).toBe(100004);
    expect(u32(6)).toBe(40000);
    expect(u32(10)).toBe(16500);
    expect(u32(14)).toBe(16390);
    expect(varattIsExternal(b, 0)).toBe(true);
    expect(varattIsShort(b, 0)).toBe(true);
    expect(varsizeAny(b, 0)).toBe(18);
    expect(varsizeAnyExhdr(b, 0)).toBe(16);
    const p = readToastPointer(b, 0);
    expect(p).toEqual({ rawSize: 100004, extSize: 40000, method: 0, valueId: 16500, toastRelId: 16390 });
    expect(toastPointerIsCompressed(p)).toBe(true);
    expect(toastPointerIsCompressed({ ...p, extSize: 100000 })).toBe(false);
    expect(raw.isExternal).toBe(true);
    expect(raw.isCompressed).toBe(false);
  });

  it('rejects an unknown vartag', () => {
    const b = new Uint8Array([0x01, 1, 0, 0]);
    expect(() => varsizeAny(b, 0)).toThrow(/unrecognized vartag 1/);
  });

  it('refuses values longer than the 30-bit length allows', () => {
    expect(MAX_VARLENA_SIZE).toBe(0x3fffffff);
  });
});

describe('RawVarlena', () => {
  it('must hold exactly one whole varlena', () => {
    expect(() => new RawVarlena(new Uint8Array([0x09, 1, 2]))).toThrow(/does not match its header/);
    expect(() => new RawVarlena(new Uint8Array(0))).toThrow();
    expect(new RawVarlena(new Uint8Array([0x09, 1, 2, 3])).bytes.length).toBe(4);
  });

  it('is told apart from Datums by isRawVarlena', () => {
    expect(isRawVarlena(makeVarlena(abc))).toBe(true);
    expect(isRawVarlena(abc)).toBe(false);
    expect(isRawVarlena('abc')).toBe(false);
    expect(isRawVarlena(null)).toBe(false);
    expect(isRawVarlena({ bytes: abc })).toBe(false);
  });

  it('makeVarlena and makeCompressedVarlena build 4-byte forms', () => {
    const plain = makeVarlena(abc);
    expect([...plain.bytes]).toEqual([28, 0, 0, 0, 0x61, 0x62, 0x63]);
    const c = makeCompressedVarlena(300, TOAST_PGLZ_COMPRESSION_ID, new Uint8Array(10));
    expect(c.isCompressed).toBe(true);
    expect(c.bytes.length).toBe(18);
    expect(readCompressedRawSize(c.bytes, 0)).toBe(300);
  });
});

describe('decodeVarlenaPayload', () => {
  it('decodes both plain inline forms', () => {
    const b = new Uint8Array(32);
    writeVarlenaShort(b, 0, abc);
    writeVarlena4B(b, 8, abc);
    expect(decodeVarlenaPayload(textType, b, 0)).toBe('abc');
    expect(decodeVarlenaPayload(textType, b, 8)).toBe('abc');
    expect(decodeVarlenaPayload(byteaType, makeVarlena(abc).bytes)).toEqual(abc);
  });

  it('refuses external and compressed values, which need detoasting', () => {
    const ext = makeToastPointer({ rawSize: 10, extSize: 6, method: 0, valueId: 1, toastRelId: 2 });
    const comp = makeCompressedVarlena(10, 0, new Uint8Array(3));
    expect(() => decodeVarlenaPayload(textType, ext.bytes)).toThrow(/detoast/);
    expect(() => decodeVarlenaPayload(textType, comp.bytes)).toThrow(/detoast/);
  });

  it('refuses a fixed-length type', () => {
    try {
      decodeVarlenaPayload(int4Type, makeVarlena(abc).bytes);
      expect.unreachable();
    } catch (e) {
      expect(isPgError(e) && e.code).toBe('XX000');
    }
  });
});
