/*
 * opfs_browser.ts — the file layer's surface in a browser bundle: what
 * index.ts exports minus NodeDirectory (node:fs), plus the OPFS
 * implementation (opfs.ts, opfs_server.ts), whole-folder reads and writes
 * from any thread (opfs_tree.ts), and the way to start its I/O
 * worker. Vite aliases '@tabgres/opfs-storage' here for the browser
 * (packages/playground-ui/vite.config.ts).
 */

export * from './types.ts';
export { MemoryDirectory } from './memory.ts';
export { Prng } from './prng.ts';
export * from './constants.ts';
export { OpfsDirectory, makeOpfsChannel, OPFS_CHANNEL_DATA_BYTES } from './opfs.ts';
export { detectOpfsAccessMode, openOpfsDataDir, removeOpfsDataDir, OpfsIoServer, type OpfsAccessMode } from './opfs_server.ts';
export { readOpfsTree, writeOpfsTree, opfsTreeSize, opfsFolderExists, opfsFileExists, retryWhileBusy, type OpfsTreeFile } from './opfs_tree.ts';

/** Starts an OPFS I/O worker (opfs_io_worker.ts); the caller sends it 'init'. */
export function spawnOpfsIoWorker(name = 'tabgres-opfs-io'): Worker {
  return new Worker(new URL('./opfs_io_worker.ts', import.meta.url), { type: 'module', name });
}
