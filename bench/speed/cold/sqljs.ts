/*
 * cold/sqljs.ts — one cold start of sql.js, as cold/tabgres.ts: import,
 * open an empty in-memory database, SELECT 1; prints the milliseconds since
 * the process started.
 */

import { performance } from 'node:perf_hooks';
import initSqlJs from 'sql.js';

const SQL = await initSqlJs();
const db = new SQL.Database();
const r = db.exec('SELECT 1 AS x');
const ms = performance.now();
if (Number(r[0]?.values[0]?.[0]) !== 1) throw new Error('SELECT 1 did not answer 1');
process.stdout.write(`${JSON.stringify({ ms })}\n`);
db.close();
