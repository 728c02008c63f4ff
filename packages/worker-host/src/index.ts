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
import { nodePlatform } from './platform_node.ts';

export type { PostmasterOptions, Session, QueryPromise } from './postmaster.ts';
export type { PostmasterCore } from './postmaster.ts';
export type { WorkerHandle } from './platform.ts';

/** The postmaster on Node's worker_threads (platform_node.ts). */
export const Postmaster = {
  start(options: PostmasterOptions = {}): Promise<PostmasterCore> {
    return PostmasterCore.start(nodePlatform, options);
  },
};
