/*
 * relsizes-probe.ts — a probe (not a test): runs the speed.html series up to a
 * test (default 11) on tabgres and prints the relations' sizes in pages, to
 * see whether the working set of the DML tests fits in shared_buffers.
 * Bundle like speed-profile.ts; `node out.mjs [upto]`.
 */
import { Database } from '../../packages/engine/src/database.ts';
import { FULL_SIZES, speedTests } from './workload.ts';

const upto = Number(process.argv[2] ?? 11);
const db = await Database.open();
for (const t of speedTests(FULL_SIZES).filter((x) => x.id <= upto)) for (const s of t.statements) await db.exec(s);
await db.exec('ANALYZE');
const r = await db.query(`SELECT relname, relpages, reltuples FROM pg_class WHERE relname IN ('t1','t2','t3','i2a','i2b','i3') ORDER BY 1`);
console.log(r.rows);
await db.close();
