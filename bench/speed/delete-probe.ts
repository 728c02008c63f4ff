/*
 * delete-probe.ts — a probe (not a test): the same indexed range DELETE
 * (speed.html test 13's shape) on several identical fresh tables in one
 * process, CPU time each, to see how much of a one-shot statement's time is
 * JIT warm-up. Bundle like speed-profile.ts.
 */
import { Database } from '../../packages/engine/src/database.ts';
import { startTiming } from '../measure.ts';

const db = await Database.open();
const N = 5;
for (let i = 0; i < N; i++) {
  await db.exec(`CREATE TABLE d${i} (a int, b int, c varchar(100))`);
  await db.exec(`INSERT INTO d${i} SELECT g, (g * 7919) % 500000, 'x' || g FROM generate_series(1, 51000) g`);
  await db.exec(`CREATE INDEX d${i}a ON d${i}(a)`);
  await db.exec(`CREATE INDEX d${i}b ON d${i}(b)`);
}
const which = process.argv[2] ?? 'delete';
for (let i = 0; i < N; i++) {
  const stop = startTiming();
  if (which === 'delete') await db.exec(`DELETE FROM d${i} WHERE a>10 AND a<20000`);
  else if (which === 'like') await db.exec(`DELETE FROM d${i} WHERE c LIKE '%5%'`);
  else await db.exec(`INSERT INTO d${i} SELECT b, a, c FROM d${i}`);
  const t = stop();
  console.log(`${which} ${i}: wall ${t.wallMs.toFixed(1)} ms cpu ${t.cpuMs.toFixed(1)} ms`);
}
