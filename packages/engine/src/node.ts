/*
 * node.ts — the engine's Node.js entry point (`@tabgres/engine/node`):
 * everything of `@tabgres/engine`, plus `Database.open({ dataDir })` on a
 * directory of the local file system. The main entry (index.ts) stays free
 * of node:* imports so it bundles for the browser; this module registers
 * opfs-storage's NodeDirectory as the dataDir file layer.
 */

import { NodeDirectory } from '@tabgres/opfs-storage';
import { setDataDirFactory } from './database.ts';

setDataDirFactory((path) => new NodeDirectory(path));

export * from './index.ts';
