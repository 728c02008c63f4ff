/*
 * byteview.ts — a DataView for a Uint8Array without allocating one per call.
 *
 * Exports: viewOf
 *
 * TypeInfo.readFixed/writeFixed take a DataView, and the tuple code is handed
 * Uint8Arrays (a page, or the whole buffer pool). Making a DataView costs an
 * allocation, and even asking a typed array for its `.buffer` costs tens of
 * nanoseconds when the buffer is a SharedArrayBuffer (see bench-tuple.ts), so
 * the view is cached by the identity of the Uint8Array object: a scan passes
 * the same array for every tuple of a page, and hits the one-entry cache with
 * one comparison. Other arrays fall back to a WeakMap, which forgets a view
 * once its array is garbage.
 *
 * The view covers exactly the array's bytes, so an offset into the array is
 * the same offset into the view.
 */

let lastBytes: Uint8Array | null = null;
let lastView: DataView | null = null;
const views = new WeakMap<Uint8Array, DataView>();

export function viewOf(bytes: Uint8Array): DataView {
  if (bytes === lastBytes && lastView !== null) return lastView;
  let view = views.get(bytes);
  if (view === undefined) {
    view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    views.set(bytes, view);
  }
  lastBytes = bytes;
  lastView = view;
  return view;
}
