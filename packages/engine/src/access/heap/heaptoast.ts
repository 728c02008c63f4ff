/*
 * heaptoast.ts — TOAST, "The Oversized-Attribute Storage Technique"
 * (PostgreSQL's heaptoast.c, toast_internals.c, detoast.c).
 *
 * A row larger than TOAST_TUPLE_THRESHOLD is shrunk, the way PostgreSQL does
 * it, in passes over its variable-length columns, largest first:
 *   1. compress (pglz) columns whose storage is 'x' (extended) or 'm' (main);
 *   2. move 'x' and 'e' (external) columns out of line into the TOAST relation;
 *   3. as a last resort, move 'm' columns out of line too;
 * stopping as soon as the row is at most TOAST_TUPLE_TARGET bytes. An
 * out-of-line value is cut into chunks of TOAST_MAX_CHUNK_SIZE bytes stored
 * as rows (chunk_id oid, chunk_seq int4, chunk_data bytea) of the table's
 * TOAST relation, and the row keeps an 18-byte TOAST pointer.
 *
 * Rules:
 *  1. TOAST rows are ordinary heap rows, inserted and deleted by the same
 *     transaction and command as the row that owns them, so they share its
 *     fate on commit, abort and crash (no WAL of their own is needed).
 *  2. Chunk rows are read with the TOAST snapshot (inserter not aborted): the
 *     owning row's visibility has already been decided.
 *  3. An UPDATE keeps an unchanged out-of-line value's pointer (no copy) and
 *     deletes the chunks of values it replaced; DELETE deletes them all.
 *
 * PostgreSQL finds chunks through an index on the TOAST table; until
 * B-tree indexes exist (the next issue), chunks are found by scanning the
 * TOAST relation, which is correct and slow for large TOAST tables.
 */

import { TOAST_MAX_CHUNK_SIZE, TOAST_TUPLE_TARGET } from '../../constants.ts';
import { BUFFER_LOCK_SHARE } from '../../storage/buffer/buf_internals.ts';
import { itemIdGet, itemIdGetFlags, itemIdGetLength, itemIdGetOffset, LP_NORMAL, pageGetMaxOffsetNumber } from '../../storage/page/bufpage.ts';
import { ForkNumber } from '../../storage/relfilelocator.ts';
import { pglzCompress, pglzDecompress } from '../../common/pg_lzcompress.ts';
import type { Datum, TypeInfo } from '../../utils/adt/datum.ts';
import { BYTEAOID, INT4OID, OIDOID, typeByOid } from '../../utils/adt/types.ts';
import { PgError, SQLSTATE, elog } from '../../utils/errors.ts';
import { heapDeformTuple, type TupleValue } from '../common/heaptuple.ts';
import { createTupleDesc, type TupleDesc } from '../common/tupdesc.ts';
import { makeTid, type Tid } from '../common/itemptr.ts';
import {
  isRawVarlena, makeCompressedVarlena, makeToastPointer, RawVarlena, readCompressedMethod, readCompressedRawSize,
  readToastPointer, TOAST_PGLZ_COMPRESSION_ID, TOAST_POINTER_SIZE, toastPointerIsCompressed, VARHDRSZ, VARHDRSZ_COMPRESSED,
} from '../common/varlena.ts';
import type { HeapAM } from './heapam.ts';
import { TM_Result, type HeapSnapshot } from './heapam_env.ts';
import type { Relation } from './relation.ts';

/** Values smaller than this are not worth compressing (PostgreSQL compresses from 32 bytes; pglz itself skips < 32). */
const MIN_COMPRESS_BYTES = 32;

/** The TOAST relation's row type: (chunk_id oid, chunk_seq int4, chunk_data bytea STORAGE PLAIN). */
export function toastTupleDesc(): TupleDesc {
  const type = (oid: number): TypeInfo => typeByOid(oid) ?? elog(`type ${oid} is not built in`);
  return createTupleDesc([
    { name: 'chunk_id', type: type(OIDOID) },
    { name: 'chunk_seq', type: type(INT4OID) },
    { name: 'chunk_data', type: type(BYTEAOID), storage: 'p' },
  ]);
}

interface Candidate {
  att: number;
  /** Current stored size of the value including its header. */
  size: number;
  payload: Uint8Array | null;
  value: TupleValue;
}

export class HeapToaster<S extends HeapSnapshot = HeapSnapshot> {
  private readonly heap: HeapAM<S>;

  constructor(heap: HeapAM<S>) {
    this.heap = heap;
  }

  /** Whether any value is an out-of-line pointer (it must be resolved before storing). */
  hasExternal(values: readonly (TupleValue | null)[]): boolean {
    for (const v of values) if (isRawVarlena(v) && v.isExternal) return true;
    return false;
  }

  /**
   * heap_toast_insert_or_update: returns values whose row fits
   * TOAST_TUPLE_TARGET where possible (the same array when nothing changed).
   */
  toastValues(rel: Relation, values: readonly (TupleValue | null)[], oldValues: readonly (TupleValue | null)[] | null, tupLen: number): readonly (TupleValue | null)[] {
    const desc = rel.desc;
    const out = values.slice();
    let changed = false;
    const cands: Candidate[] = [];
    // tupLen counted fetched pointers at their pointer size; this is what their values add.
    let grown = 0;
    for (let i = 0; i < desc.natts; i++) {
      const v = out[i];
      if (v === null || desc.attrs[i].attlen !== -1) continue;
      let pointerSize = -1;
      if (isRawVarlena(v) && v.isExternal) {
        const old = oldValues?.[i];
        if (isRawVarlena(old) && sameBytes(old.bytes, v.bytes)) continue; // rule 3: reuse
        // A pointer into another row's TOAST data: fetch and store our own copy.
        out[i] = this.detoast(rel, v, desc.types[i]);
        pointerSize = v.bytes.length;
        changed = true;
      }
      const cur = out[i] as TupleValue;
      if (isRawVarlena(cur)) {
        cands.push({ att: i, size: cur.bytes.length, payload: null, value: cur });
      } else {
        const payload = desc.types[i].toBytes?.(cur as Datum) ?? elog(`type ${desc.types[i].name} has no binary form`);
        cands.push({ att: i, size: payload.length + VARHDRSZ, payload, value: cur });
        if (pointerSize >= 0) grown += payload.length + VARHDRSZ - pointerSize;
      }
    }
    let size = tupLen + grown;
    const fits = (): boolean => size <= TOAST_TUPLE_TARGET;
    cands.sort((a, b) => b.size - a.size);

    // Pass 1: compress 'x' and 'm' values.
    for (const c of cands) {
      if (fits()) break;
      const storage = desc.attrs[c.att].attstorage;
      if ((storage !== 'x' && storage !== 'm') || c.payload === null || c.payload.length < MIN_COMPRESS_BYTES) continue;
      const compressed = pglzCompress(c.payload);
      if (compressed === null) continue;
      const raw = makeCompressedVarlena(c.payload.length, TOAST_PGLZ_COMPRESSION_ID, compressed);
      size -= c.size - raw.bytes.length;
      c.size = raw.bytes.length;
      c.value = raw;
      out[c.att] = raw;
      changed = true;
    }
    // Passes 2 and 3: move values out of line.
    for (const pass of [['x', 'e'], ['m']]) {
      for (const c of cands) {
        if (fits()) break;
        if (!pass.includes(desc.attrs[c.att].attstorage) || c.size <= TOAST_POINTER_SIZE * 2) continue;
        if (rel.toast === null) continue;
        const pointer = this.saveDatum(rel, c);
        size -= c.size - TOAST_POINTER_SIZE;
        c.size = TOAST_POINTER_SIZE;
        out[c.att] = pointer;
        changed = true;
      }
    }
    return changed ? out : values;
  }

  /** toast_save_datum: stores one value's bytes as chunk rows; returns the pointer. */
  private saveDatum(rel: Relation, c: Candidate): RawVarlena {
    const toast = rel.toast ?? elog('relation has no TOAST table');
    let data: Uint8Array;
    let rawSize: number;
    let method = 0;
    if (isRawVarlena(c.value) && c.value.isCompressed) {
      data = c.value.bytes.subarray(VARHDRSZ_COMPRESSED);
      rawSize = readCompressedRawSize(c.value.bytes, 0) + VARHDRSZ;
      method = readCompressedMethod(c.value.bytes, 0);
    } else {
      data = c.payload ?? (c.value as RawVarlena).bytes.subarray(VARHDRSZ);
      rawSize = data.length + VARHDRSZ;
    }
    const valueId = this.heap.env.newOid();
    const cid = this.heap.env.xact.getCurrentCommandId(true);
    for (let seq = 0, off = 0; off < data.length || seq === 0; seq++, off += TOAST_MAX_CHUNK_SIZE) {
      const chunk = data.subarray(off, Math.min(off + TOAST_MAX_CHUNK_SIZE, data.length));
      this.heap.insert(toast, [valueId, seq, chunk.slice()], cid);
    }
    return makeToastPointer({ rawSize, extSize: data.length, method, valueId, toastRelId: toast.oid });
  }

  /** The chunk rows of a value: [tid, seq, data] in any order. */
  private findChunks(toast: Relation, valueId: number): { tid: Tid; seq: number; data: Uint8Array }[] {
    const { bufmgr, vis } = this.heap.env;
    const found: { tid: Tid; seq: number; data: Uint8Array }[] = [];
    const nblocks = bufmgr.nblocks(toast.locator, ForkNumber.MAIN);
    const values = new Array<TupleValue | null>(3);
    const isnull = new Array<boolean>(3);
    for (let blk = 0; blk < nblocks; blk++) {
      const buffer = bufmgr.readBuffer(toast.locator, ForkNumber.MAIN, blk);
      bufmgr.lockBuffer(buffer, BUFFER_LOCK_SHARE);
      const page = bufmgr.getPage(buffer);
      const max = pageGetMaxOffsetNumber(page);
      for (let off = 1; off <= max; off++) {
        const lp = itemIdGet(page, off);
        if (itemIdGetFlags(lp) !== LP_NORMAL) continue;
        const at = itemIdGetOffset(lp);
        // chunk_id is the first column: data starts at t_hoff.
        const hoff = page[at + 22];
        const id = (page[at + hoff] | (page[at + hoff + 1] << 8) | (page[at + hoff + 2] << 16) | (page[at + hoff + 3] << 24)) >>> 0;
        if (id !== valueId || !vis.satisfiesToast(page, at, buffer)) continue;
        heapDeformTuple(toast.desc, page, at, itemIdGetLength(lp), values, isnull);
        found.push({ tid: makeTid(blk, off), seq: values[1] as number, data: (values[2] as Uint8Array).slice() });
      }
      bufmgr.unlockReleaseBuffer(buffer);
    }
    return found;
  }

  /** detoast_attr: the Datum of a compressed or out-of-line value. */
  detoast(rel: Relation, raw: RawVarlena, type: TypeInfo): Datum {
    let payload: Uint8Array;
    if (raw.isExternal) {
      const p = readToastPointer(raw.bytes, 0);
      // Usually our own TOAST table; a value copied from another table's row points into that one's.
      const toast = rel.toast !== null && rel.toast.oid === p.toastRelId ? rel.toast : this.heap.env.toastRelation?.(p.toastRelId) ?? null;
      if (toast === null) elog(`TOAST pointer names relation ${p.toastRelId}, which is not an open TOAST table`);
      const chunks = this.findChunks(toast, p.valueId).sort((a, b) => a.seq - b.seq);
      const data = new Uint8Array(p.extSize);
      let off = 0;
      for (let i = 0; i < chunks.length; i++) {
        if (chunks[i].seq !== i) {
          throw new PgError(SQLSTATE.data_corrupted, `missing chunk number ${i} for toast value ${p.valueId} in ${toast.name}`);
        }
        if (off + chunks[i].data.length > data.length) {
          throw new PgError(SQLSTATE.data_corrupted, `unexpected chunk size ${chunks[i].data.length} in chunk ${i} for toast value ${p.valueId} in ${toast.name}`);
        }
        data.set(chunks[i].data, off);
        off += chunks[i].data.length;
      }
      if (off !== p.extSize) {
        throw new PgError(SQLSTATE.data_corrupted, `missing chunk number ${chunks.length} for toast value ${p.valueId} in ${toast.name}`);
      }
      payload = toastPointerIsCompressed(p) ? pglzDecompress(data, p.rawSize - VARHDRSZ) : data;
    } else if (raw.isCompressed) {
      payload = pglzDecompress(raw.bytes.subarray(VARHDRSZ_COMPRESSED), readCompressedRawSize(raw.bytes, 0));
    } else {
      const h = raw.bytes[0];
      payload = (h & 1) === 1 ? raw.bytes.subarray(1) : raw.bytes.subarray(VARHDRSZ);
    }
    const fromBytes = type.fromBytes ?? elog(`type ${type.name} is not a varlena type`);
    return fromBytes(payload);
  }

  /** Replaces every RawVarlena in values with its Datum. */
  detoastInPlace(rel: Relation, values: (TupleValue | null)[]): void {
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (isRawVarlena(v)) values[i] = this.detoast(rel, v, rel.desc.types[i]);
    }
  }

  /**
   * toast_delete: deletes the chunks of old out-of-line values that the new
   * row (if any) does not keep.
   */
  deleteValues(rel: Relation, oldValues: readonly (TupleValue | null)[], newValues: readonly (TupleValue | null)[] | null, cid: number): void {
    const toast = rel.toast;
    if (toast === null) return;
    for (let i = 0; i < oldValues.length; i++) {
      const v = oldValues[i];
      if (!isRawVarlena(v) || !v.isExternal) continue;
      const nv = newValues?.[i];
      if (isRawVarlena(nv) && sameBytes(nv.bytes, v.bytes)) continue;
      const p = readToastPointer(v.bytes, 0);
      for (const c of this.findChunks(toast, p.valueId)) {
        const r = this.heap.delete(toast, c.tid, cid);
        if (r.result !== TM_Result.TM_Ok && r.result !== TM_Result.TM_SelfModified) {
          elog(`could not delete toast value ${p.valueId} chunk ${c.seq}`);
        }
      }
    }
  }

  /**
   * toast_delete for a super-deleted speculative insertion (is_speculative):
   * the chunks of its out-of-line values were inserted by the same command,
   * so they are super-deleted too (heap_abort_speculative on each chunk
   * row), invisible at once like the row that owned them.
   */
  superDeleteValues(rel: Relation, values: readonly (TupleValue | null)[]): void {
    const toast = rel.toast;
    if (toast === null) return;
    for (const v of values) {
      if (!isRawVarlena(v) || !v.isExternal) continue;
      const p = readToastPointer(v.bytes, 0);
      for (const c of this.findChunks(toast, p.valueId)) this.heap.abortSpeculative(toast, c.tid, true);
    }
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
