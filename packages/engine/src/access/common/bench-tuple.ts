/*
 * bench-tuple.ts — micro-benchmark of tuple forming, deforming and header
 * access. Not a test: run it by hand and read the numbers.
 *
 *   npx tsx packages/engine/src/access/common/bench-tuple.ts
 *
 * Tuples sit in a "page" that is a subarray of a SharedArrayBuffer, as they
 * do in the buffer pool, at MAXALIGNed offsets 40 bytes apart (a 3 x int4
 * tuple is 36 bytes). Each figure is the best of several rounds, in
 * nanoseconds per operation. The "alternatives" rows measure the designs
 * that htup_details.ts and byteview.ts chose against.
 */

import { maxAlign } from '../../constants.ts';
import { viewOf } from './byteview.ts';
import { heapDeformTuple, heapFormTuple, heapFormTupleInto, heapGetAttr, type TupleValue } from './heaptuple.ts';
import { htupGetCtid, htupGetInfomask, htupGetNatts, htupGetXmin, htupSetXmax } from './htup_details.ts';
import { createTupleDesc } from './tupdesc.ts';
import { byteaType, int4Type, int8Type, textType } from './testtypes.ts';

const ROUNDS = 7;

function bench(name: string, opsPerCall: number, calls: number, fn: () => number): void {
  let sink = 0;
  for (let w = 0; w < 3; w++) sink += fn();
  let best = Infinity;
  for (let r = 0; r < ROUNDS; r++) {
    const t0 = process.hrtime.bigint();
    for (let c = 0; c < calls; c++) sink += fn();
    const ns = Number(process.hrtime.bigint() - t0) / (opsPerCall * calls);
    if (ns < best) best = ns;
  }
  console.log(`${name.padEnd(52)} ${best.toFixed(1).padStart(7)} ns/op   (${(1000 / best).toFixed(1)} M/s)  [${sink & 1}]`);
}

const pool = new Uint8Array(new SharedArrayBuffer(8192 * 16));
const page = pool.subarray(8192 * 3, 8192 * 4);
const desc3 = createTupleDesc([
  { name: 'a', type: int4Type },
  { name: 'b', type: int4Type },
  { name: 'c', type: int4Type },
]);
const NTUP = 200;
const STRIDE = maxAlign(36);
const offsets = new Int32Array(NTUP);
for (let i = 0; i < NTUP; i++) {
  offsets[i] = 24 + i * STRIDE;
  heapFormTupleInto(desc3, [i, i * 2, i * 3], page, offsets[i]);
  htupSetXmax(page, offsets[i], 1000 + i);
}

console.log(`tuple code micro-benchmark, node ${process.version}`);
console.log('-- forming (3 x int4)');
const vals3: TupleValue[] = [1, 2, 3];
bench('heapFormTuple, new array each call', 1000, 200, () => {
  let s = 0;
  for (let k = 0; k < 1000; k++) s += heapFormTuple(desc3, vals3).length;
  return s;
});
const out36 = new Uint8Array(36);
bench('heapFormTuple into a reused 36-byte out', 1000, 200, () => {
  let s = 0;
  for (let k = 0; k < 1000; k++) s += heapFormTuple(desc3, vals3, out36).length;
  return s;
});
const scratchPage = pool.subarray(8192 * 5, 8192 * 6);
bench('heapFormTupleInto a SharedArrayBuffer page', NTUP, 1000, () => {
  let s = 0;
  for (let k = 0; k < NTUP; k++) s += heapFormTupleInto(desc3, vals3, scratchPage, offsets[k]);
  return s;
});

console.log('-- header getters (tuples in a SharedArrayBuffer page)');
bench('htupGetXmin (u32)', NTUP, 5000, () => {
  let s = 0;
  for (let k = 0; k < NTUP; k++) s += htupGetXmin(page, offsets[k]);
  return s;
});
bench('htupGetInfomask', NTUP, 5000, () => {
  let s = 0;
  for (let k = 0; k < NTUP; k++) s += htupGetInfomask(page, offsets[k]);
  return s;
});
bench('htupGetNatts', NTUP, 5000, () => {
  let s = 0;
  for (let k = 0; k < NTUP; k++) s += htupGetNatts(page, offsets[k]);
  return s;
});
bench('htupGetCtid (packed Tid)', NTUP, 5000, () => {
  let s = 0;
  for (let k = 0; k < NTUP; k++) s += htupGetCtid(page, offsets[k]);
  return s;
});

console.log('-- alternatives for a u32 header field');
const callerView = new DataView(page.buffer, page.byteOffset, page.byteLength);
bench('caller-held DataView getUint32', NTUP, 5000, () => {
  let s = 0;
  for (let k = 0; k < NTUP; k++) s += callerView.getUint32(offsets[k] + 4, true);
  return s;
});
bench('viewOf(bytes) (identity cache) + getUint32', NTUP, 5000, () => {
  let s = 0;
  for (let k = 0; k < NTUP; k++) s += viewOf(page).getUint32(offsets[k] + 4, true);
  return s;
});
const byBuffer = new WeakMap<ArrayBufferLike, DataView>();
bench('WeakMap keyed by bytes.buffer + getUint32', NTUP, 500, () => {
  let s = 0;
  for (let k = 0; k < NTUP; k++) {
    const buf = page.buffer;
    let dv = byBuffer.get(buf);
    if (dv === undefined) {
      dv = new DataView(buf);
      byBuffer.set(buf, dv);
    }
    s += dv.getUint32(page.byteOffset + offsets[k] + 4, true);
  }
  return s;
});

console.log('-- deforming');
const values: (TupleValue | null)[] = new Array<TupleValue | null>(3).fill(null);
const isnull: boolean[] = [false, false, false];
bench('heapDeformTuple (3 x int4)', NTUP, 2000, () => {
  let s = 0;
  for (let k = 0; k < NTUP; k++) {
    heapDeformTuple(desc3, page, offsets[k], 36, values, isnull);
    s += values[2] as number;
  }
  return s;
});
bench('heapGetAttr(attnum 3) (3 x int4)', NTUP, 2000, () => {
  let s = 0;
  for (let k = 0; k < NTUP; k++) s += heapGetAttr(desc3, page, offsets[k], 36, 3) as number;
  return s;
});

console.log('-- mixed (int4, text, int8)');
const descMixed = createTupleDesc([
  { name: 'id', type: int4Type },
  { name: 'name', type: textType },
  { name: 'n', type: int8Type },
]);
const mixedVals: TupleValue[] = [7, 'a short text value', 123456789n];
const mixedOut = new Uint8Array(128);
bench('heapFormTuple into reused out', 1000, 200, () => {
  let s = 0;
  for (let k = 0; k < 1000; k++) s += heapFormTuple(descMixed, mixedVals, mixedOut).length;
  return s;
});
const mixedPage = pool.subarray(8192 * 7, 8192 * 8);
const mixedLen = heapFormTupleInto(descMixed, mixedVals, mixedPage, 24);
const mixedValues: (TupleValue | null)[] = [null, null, null];
const mixedNull: boolean[] = [false, false, false];
bench('heapDeformTuple (text decoded by TextDecoder)', 1000, 200, () => {
  let s = 0;
  for (let k = 0; k < 1000; k++) {
    heapDeformTuple(descMixed, mixedPage, 24, mixedLen, mixedValues, mixedNull);
    s += mixedValues[0] as number;
  }
  return s;
});
bench('heapGetAttr(attnum 3, after the text)', 1000, 200, () => {
  let s = 0;
  for (let k = 0; k < 1000; k++) s += Number(heapGetAttr(descMixed, mixedPage, 24, mixedLen, 3));
  return s;
});

console.log('-- mixed (int4, bytea, int4): varlena cost without text encoding');
const descBytea = createTupleDesc([
  { name: 'id', type: int4Type },
  { name: 'b', type: byteaType },
  { name: 'n', type: int4Type },
]);
const byteaVals: TupleValue[] = [7, new Uint8Array(18).fill(65), 42];
bench('heapFormTuple into reused out', 1000, 200, () => {
  let s = 0;
  for (let k = 0; k < 1000; k++) s += heapFormTuple(descBytea, byteaVals, mixedOut).length;
  return s;
});
const byteaPage = pool.subarray(8192 * 9, 8192 * 10);
const byteaLen = heapFormTupleInto(descBytea, byteaVals, byteaPage, 24);
bench('heapDeformTuple (bytea copied by slice)', 1000, 200, () => {
  let s = 0;
  for (let k = 0; k < 1000; k++) {
    heapDeformTuple(descBytea, byteaPage, 24, byteaLen, mixedValues, mixedNull);
    s += mixedValues[2] as number;
  }
  return s;
});
