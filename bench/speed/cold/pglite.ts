/*
 * cold/pglite.ts — one cold start of PGlite in memory, as cold/tabgres.ts:
 * import, open an empty in-memory database, SELECT 1; prints the
 * milliseconds since the process started.
 */

import { performance } from 'node:perf_hooks';
import { PGlite } from '@electric-sql/pglite';

const db = await PGlite.create();
const r = await db.query<{ x: number }>('SELECT 1 AS x');
const ms = performance.now();
if (r.rows[0]?.x !== 1) throw new Error('SELECT 1 did not answer 1');
process.stdout.write(`${JSON.stringify({ ms })}\n`);
await db.close();
