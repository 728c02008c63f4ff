/*
 * crc32c.ts — CRC-32C (Castagnoli), the checksum of WAL records and pg_control.
 *
 * Exports:
 *   crc32cInit()                          -> running value to start from
 *   crc32cUpdate(crc, bytes, start?, end?) -> running value after bytes[start, end)
 *   crc32cFinal(crc)                      -> the CRC, an unsigned 32-bit number
 *   crc32c(bytes)                         -> init + update + final in one call
 *
 * PostgreSQL uses CRC-32C (polynomial 0x1EDC6F41, reflected 0x82F63B78) for
 * WAL and the control file because x86 and ARM compute it in hardware. There
 * is no such instruction reachable from JavaScript, so this is the
 * "slicing-by-8" table method (Kounavis and Berry, Intel 2005): eight 256-entry
 * tables let the loop fold eight input bytes per step with eight independent
 * table lookups, instead of one byte per step with a serial dependency.
 *
 * Table k holds the CRC of a byte followed by k zero bytes, so
 *
 *   T0[b] = CRC of byte b                       (the classic one-byte table)
 *   Tk[b] = (T(k-1)[b] >>> 8) ^ T0[T(k-1)[b] & 0xff]
 *
 * and the 8 bytes b0..b7 of one step contribute T7[b0'] ^ T6[b1'] ^ ... ^ T0[b7],
 * where b0'..b3' are the first four bytes already XORed with the running CRC.
 *
 * The running value is kept inverted between calls as PostgreSQL's
 * INIT_CRC32C / COMP_CRC32C / FIN_CRC32C do, so a record can be checksummed
 * in pieces (header, then payload) without concatenating them.
 */

/** The reflected Castagnoli polynomial. */
const CRC32C_POLY_REFLECTED = 0x82f63b78;

/** Eight tables of 256 entries, table k at [k * 256, k * 256 + 256). */
const TABLES = buildTables();

function buildTables(): Uint32Array {
  const t = new Uint32Array(8 * 256);
  for (let b = 0; b < 256; b++) {
    let c = b;
    for (let bit = 0; bit < 8; bit++) c = c & 1 ? (c >>> 1) ^ CRC32C_POLY_REFLECTED : c >>> 1;
    t[b] = c;
  }
  for (let k = 1; k < 8; k++) {
    for (let b = 0; b < 256; b++) {
      const prev = t[(k - 1) * 256 + b];
      t[k * 256 + b] = (prev >>> 8) ^ t[prev & 0xff];
    }
  }
  return t;
}

/** Starting value of a running CRC (all ones, as the CRC-32C standard says). */
export function crc32cInit(): number {
  return 0xffffffff;
}

/**
 * Folds bytes[start, end) into a running CRC and returns the new running
 * value. The default range is the whole array.
 */
export function crc32cUpdate(crc: number, bytes: Uint8Array, start = 0, end: number = bytes.length): number {
  if (start < 0 || end > bytes.length || start > end) {
    throw new RangeError(`crc32cUpdate range [${start}, ${end}) outside 0..${bytes.length}`);
  }
  const t = TABLES;
  let c = crc | 0;
  let i = start;
  // Eight bytes per step; the tail of fewer than eight goes one byte at a time.
  const end8 = end - 8;
  for (; i <= end8; i += 8) {
    c ^= bytes[i] | (bytes[i + 1] << 8) | (bytes[i + 2] << 16) | (bytes[i + 3] << 24);
    c =
      t[1792 + (c & 0xff)] ^
      t[1536 + ((c >>> 8) & 0xff)] ^
      t[1280 + ((c >>> 16) & 0xff)] ^
      t[1024 + (c >>> 24)] ^
      t[768 + bytes[i + 4]] ^
      t[512 + bytes[i + 5]] ^
      t[256 + bytes[i + 6]] ^
      t[bytes[i + 7]];
  }
  for (; i < end; i++) c = (c >>> 8) ^ t[(c ^ bytes[i]) & 0xff];
  return c >>> 0;
}

/** Turns a running value into the CRC: the final inversion, as an unsigned number. */
export function crc32cFinal(crc: number): number {
  return (crc ^ 0xffffffff) >>> 0;
}

/** CRC-32C of a whole array. */
export function crc32c(bytes: Uint8Array): number {
  return crc32cFinal(crc32cUpdate(crc32cInit(), bytes, 0, bytes.length));
}
