/*
 * backend_node.ts — a backend worker's entry in Node (worker_threads): the
 * platform half of backend.ts. It opens the data directory with
 * NodeDirectory and exposes the BackendApi to the postmaster through
 * comlink's node adapter.
 */

import { parentPort, workerData } from 'node:worker_threads';
import { expose } from 'comlink';
import nodeEndpoint from 'comlink/dist/umd/node-adapter.js';
import { NodeDirectory } from '@tabgres/opfs-storage';
import { isBackendBoot } from './protocol.ts';
import { makeAuxiliaryApi, makeBackendApi } from './backend.ts';

if (parentPort === null || !isBackendBoot(workerData)) throw new Error('backend_node.ts runs as a worker started by the postmaster');
const port = parentPort;
const boot = workerData;
const dir = new NodeDirectory(boot.dataDir);
const exit = (code: number): never => process.exit(code);
const role = boot.role ?? 'backend';
expose(role === 'backend' ? makeBackendApi(boot, dir, exit) : makeAuxiliaryApi(boot, dir, exit), nodeEndpoint(port));
