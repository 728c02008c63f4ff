/*
 * cold/tabgres.ts — one cold start of tabgres, run as a fresh Node process
 * by the SQL benchmark (bundled by bench/run.mjs to bench/out/cold-tabgres.mjs):
 * import, open an empty in-memory database, SELECT 1. Prints the
 * milliseconds since the process started (performance.now(), whose origin
 * is the process's start, so Node's own startup and module loading count).
 */

import { performance } from 'node:perf_hooks';
import { Database } from '../../../packages/engine/src/database.ts';

const db = await Database.open();
const r = await db.query<{ x: number }>('SELECT 1 AS x');
const ms = performance.now();
if (r.rows[0]?.x !== 1) throw new Error('SELECT 1 did not answer 1');
process.stdout.write(`${JSON.stringify({ ms })}\n`);
await db.close();
