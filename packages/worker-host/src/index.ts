/*
 * @tabgres/worker-host — tabgres hosted in Node: the postmaster with its
 * pool of backend workers (worker_threads), and the `tabgres` CLI
 * (cli.ts, which runs one in-process Database).
 *
 *   const pm = await Postmaster.start({ dataDir: './data', backends: 4 });
 *   await pm.query('SELECT 1');
 *   const s = await pm.connect(); await s.exec('BEGIN'); ...; await s.release();
 *   await pm.close();
 */

import { PostmasterCore, type PostmasterOptions } from './postmaster.ts';
import { makeNodePlatform, nodePlatform, type WorkerEntryKind } from './platform_node.ts';

export type { PostmasterOptions, Session, QueryPromise } from './postmaster.ts';
export type { PostmasterCore } from './postmaster.ts';
export type { WorkerHandle } from './platform.ts';
export { workerEntry, workerExecArgv, type WorkerEntryKind } from './platform_node.ts';

/**
 * The postmaster on Node's worker_threads (platform_node.ts). Workers run
 * the esbuild bundle of backend_node.ts unless `worker` is 'source' (or
 * TABGRES_WORKER=source is set): then they run the TypeScript through tsx.
 */
export const Postmaster = {
  start(options: PostmasterOptions = {}, worker?: WorkerEntryKind): Promise<PostmasterCore> {
    return PostmasterCore.start(worker === undefined ? nodePlatform : makeNodePlatform(worker), options);
  },
};
