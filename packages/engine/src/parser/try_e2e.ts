/* eslint-disable */
import { Database } from '../database.ts';
const db = await Database.open();
const stmts = process.argv.slice(2);
for (const s of stmts) {
  try { const r: any = await db.query(s); console.log(s, '=>', JSON.stringify(r.rows ?? r).slice(0, 300)); }
  catch (e: any) { console.log(s, '=> ERR', e.code, e.message, e.position ?? '', e.code === 'XX000' || !e.code ? e.stack?.split('\n').slice(0,6).join('\n') : ''); }
}
