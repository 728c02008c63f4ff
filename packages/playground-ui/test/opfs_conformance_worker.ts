/*
 * opfs_conformance_worker.ts — the runner of the OPFS conformance page:
 * registers conformance.ts's suite over an OpfsDirectory on the channel it
 * is sent, runs it (browser_vitest.ts) and posts the results back. Every
 * test starts from an empty folder: the cleanup removes what the last one
 * left, through the same directory.
 */

import { OpfsDirectory } from '@tabgres/opfs-storage/browser';
import { describeConformance } from '../../opfs-storage/src/conformance.ts';
import { run } from './browser_vitest.ts';

function clear(dir: OpfsDirectory, folder: string): void {
  for (const name of dir.list(folder)) {
    const path = folder === '' ? name : `${folder}/${name}`;
    clear(dir, path);
    dir.remove(path);
  }
}

self.onmessage = (ev: MessageEvent) => {
  const dir = new OpfsDirectory((ev.data as { channel: SharedArrayBuffer }).channel);
  describeConformance('OPFS', () => ({ dir, cleanup: () => clear(dir, '') }));
  void run().then((results) => self.postMessage(results));
};
