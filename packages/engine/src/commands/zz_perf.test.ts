import { it } from 'vitest';
import { Database } from '../database.ts';
import { referencingForeignKeys } from '../utils/adt/ri_triggers.ts';
it('perf', async () => {
  const db = Database.openSync({});
  db.execSync('CREATE TABLE t (id int PRIMARY KEY, v int)');
  for (let i = 0; i < 1000; i++) db.querySync(`INSERT INTO t VALUES (${i}, ${i})`);
  let t0 = performance.now();
  for (let i = 0; i < 1000; i++) db.querySync(`UPDATE t SET v = v + 1 WHERE id = ${i}`);
  console.log('1000 updates ms', performance.now() - t0);
  t0 = performance.now();
  for (let i = 0; i < 1000; i++) db.querySync(`INSERT INTO t VALUES (${i + 5000}, 1)`);
  console.log('1000 inserts ms', performance.now() - t0);
  const cat = (db as unknown as { catalog?: unknown; session?: { catalog: unknown } });
  console.log(Object.keys(db));
});
