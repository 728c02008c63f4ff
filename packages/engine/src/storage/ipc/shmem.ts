/*
 * shmem.ts — the shared-memory segment and its index (PostgreSQL's shmem.c).
 *
 * The postmaster allocates one SharedArrayBuffer at start; every backend
 * attaches to the same buffer and finds each subsystem's region by name, as
 * ShmemInitStruct does. Regions are carved with a bump allocator and never
 * freed: the set of regions is fixed for the life of the instance.
 *
 * Layout of the segment:
 *
 *   offset 0      ShmemHeader (64 bytes)
 *                   u32 magic            SHMEM_MAGIC
 *                   u32 layoutVersion
 *                   u32 totalSize        bytes in the segment
 *                   u32 freeOffset       next unallocated byte (bump pointer)
 *                   u32 nentries         index entries in use
 *   offset 64     ShmemIndex: MAX_SHMEM_ENTRIES entries of 64 bytes
 *                   48 bytes name (ASCII, NUL-padded)
 *                   u32 offset, u32 size, 8 bytes unused
 *   offset 64+64*MAX_SHMEM_ENTRIES
 *                 regions, each starting on a 64-byte (cache line) boundary
 *
 * Rules:
 *  1. Only the process that creates the segment allocates regions, before any
 *     backend attaches (the postmaster does all ShmemInitStruct calls at
 *     start). Attaching backends only look regions up, so the header and the
 *     index need no lock.
 *  2. Every region starts on a 64-byte boundary, so 32-bit atomics and
 *     Float64/BigInt64 views are always aligned, and hot words of different
 *     regions never share a cache line.
 */

import { Assert, elog } from '../../utils/errors.ts';

const SHMEM_MAGIC = 0x7461_6267; // "tabg"
const SHMEM_LAYOUT_VERSION = 1;
const HEADER_SIZE = 64;
const ENTRY_SIZE = 64;
const NAME_BYTES = 48;
/** Named regions; the engine uses about twenty. */
export const MAX_SHMEM_ENTRIES = 64;
const INDEX_END = HEADER_SIZE + ENTRY_SIZE * MAX_SHMEM_ENTRIES;
export const SHMEM_ALIGN = 64;

export function shmemAlign(n: number): number {
  return Math.ceil(n / SHMEM_ALIGN) * SHMEM_ALIGN;
}

/** Adds up region sizes before the segment exists (CalculateShmemSize). */
export class ShmemSizer {
  private total = INDEX_END;
  add(size: number): void {
    this.total += shmemAlign(size);
  }
  get size(): number {
    return this.total;
  }
}

export interface ShmemRegion {
  offset: number;
  size: number;
  /** True when the region already existed (an attaching backend); false when just created and zeroed. */
  found: boolean;
}

const isLittleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

export class Shmem {
  readonly sab: SharedArrayBuffer;
  readonly u8: Uint8Array;
  readonly i32: Int32Array;
  readonly u32: Uint32Array;
  readonly dv: DataView;

  private constructor(sab: SharedArrayBuffer) {
    Assert(isLittleEndian, 'tabgres stores little-endian data and needs a little-endian platform');
    this.sab = sab;
    this.u8 = new Uint8Array(sab);
    this.i32 = new Int32Array(sab);
    this.u32 = new Uint32Array(sab);
    this.dv = new DataView(sab);
  }

  /** Creates and formats a segment of `size` bytes (from a ShmemSizer). */
  static create(size: number): Shmem {
    const total = shmemAlign(Math.max(size, INDEX_END));
    const shm = new Shmem(new SharedArrayBuffer(total));
    shm.u32[0] = SHMEM_MAGIC;
    shm.u32[1] = SHMEM_LAYOUT_VERSION;
    shm.u32[2] = total;
    shm.u32[3] = INDEX_END;
    shm.u32[4] = 0;
    return shm;
  }

  /** Attaches to a segment made by create(), e.g. in a worker. */
  static attach(sab: SharedArrayBuffer): Shmem {
    const shm = new Shmem(sab);
    if (shm.u32[0] !== SHMEM_MAGIC || shm.u32[1] !== SHMEM_LAYOUT_VERSION) {
      elog('shared memory segment has a wrong magic number or layout version');
    }
    return shm;
  }

  get totalSize(): number {
    return this.u32[2];
  }

  get freeOffset(): number {
    return this.u32[3];
  }

  /**
   * ShmemInitStruct: returns the region called `name`, creating and zeroing
   * it on first use. A second call with another size is a programming error.
   */
  initStruct(name: string, size: number): ShmemRegion {
    Assert(name.length > 0 && name.length < NAME_BYTES, `shmem region name "${name}" too long`);
    const existing = this.lookup(name);
    if (existing) {
      Assert(existing.size === size, `shmem region "${name}" requested with size ${size}, has ${existing.size}`);
      return { ...existing, found: true };
    }
    const n = this.u32[4];
    if (n >= MAX_SHMEM_ENTRIES) elog('out of shared memory index entries');
    const offset = this.u32[3];
    const end = offset + shmemAlign(size);
    if (end > this.totalSize) {
      elog(`out of shared memory (region "${name}" needs ${size} bytes, ${this.totalSize - offset} left)`);
    }
    const entry = HEADER_SIZE + n * ENTRY_SIZE;
    for (let i = 0; i < NAME_BYTES; i++) this.u8[entry + i] = i < name.length ? name.charCodeAt(i) & 0x7f : 0;
    this.dv.setUint32(entry + NAME_BYTES, offset, true);
    this.dv.setUint32(entry + NAME_BYTES + 4, size, true);
    this.u32[3] = end;
    this.u32[4] = n + 1;
    // No fill: regions are carved only from space never handed out before, of a
    // SharedArrayBuffer that is zero when made. Writing 16+ MB of zeroes would
    // only fault in every page of the buffer pool at start (~10% of a cold start).
    return { offset, size, found: false };
  }

  /** Finds a region by name, or undefined. */
  lookup(name: string): { offset: number; size: number } | undefined {
    const n = this.u32[4];
    for (let e = 0; e < n; e++) {
      const entry = HEADER_SIZE + e * ENTRY_SIZE;
      if (this.entryName(entry) === name) {
        return { offset: this.dv.getUint32(entry + NAME_BYTES, true), size: this.dv.getUint32(entry + NAME_BYTES + 4, true) };
      }
    }
    return undefined;
  }

  /** All regions, for the playground's shared-memory map and for tests. */
  regions(): { name: string; offset: number; size: number }[] {
    const out: { name: string; offset: number; size: number }[] = [];
    for (let e = 0; e < this.u32[4]; e++) {
      const entry = HEADER_SIZE + e * ENTRY_SIZE;
      out.push({
        name: this.entryName(entry),
        offset: this.dv.getUint32(entry + NAME_BYTES, true),
        size: this.dv.getUint32(entry + NAME_BYTES + 4, true),
      });
    }
    return out;
  }

  private entryName(entry: number): string {
    let s = '';
    for (let i = 0; i < NAME_BYTES; i++) {
      const c = this.u8[entry + i];
      if (c === 0) break;
      s += String.fromCharCode(c);
    }
    return s;
  }
}
