/*
 * open-probe.ts — a probe (not a test): Database.open() in memory plus
 * SELECT 1, wall and CPU time and RSS, with shared_buffers given in pages
 * (argv[2]) or the default: what a bigger buffer pool costs a cold start.
 * Bundle like speed-profile.ts; `node out.mjs [pages]`.
 */
import { Database } from '../../packages/engine/src/database.ts';
const sb = process.argv[2];
const t0 = performance.now(); const c0 = process.cpuUsage();
const db = await Database.open(sb ? { sharedBuffers: Number(sb) } : {});
await db.exec('SELECT 1');
const c = process.cpuUsage(c0);
console.log(sb, 'open+select1 wall', (performance.now() - t0).toFixed(1), 'cpu', ((c.user + c.system) / 1000).toFixed(1), 'rss MB', (process.memoryUsage().rss / 1e6).toFixed(0));
await db.close();
