import { Database } from '../../src/database.ts';
const t0 = performance.now();
const db = Database.openSync();
console.log('open ms', (performance.now() - t0).toFixed(1));
const show = (sql: string) => {
  const o = db.backend.execSimpleQuery(sql);
  for (const r of o.results) console.log(sql, '=>', r.command, JSON.stringify(r.rows, (_k, v) => typeof v === 'bigint' ? v.toString() : v), r.notices.map(n => n.message));
  if (o.error) console.log(sql, '=> ERROR', o.error.code, o.error.message);
};
for (const s of process.argv.slice(2)) show(s);
