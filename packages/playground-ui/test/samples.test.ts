/*
 * samples.test.ts — the sample databases (samples/*.sql) load in the engine
 * as the playground loads them (one simple-protocol script), with the rows
 * they promise; in `events` an index on user_id turns the plan of a
 * selective query from a Seq Scan into an index scan, as its comment says.
 */

import * as fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Database } from '@tabgres/engine';
import { SAMPLES } from '../src/samples.ts';

const sql = (file: string): string => {
  const text = fs.readFileSync(new URL(`../samples/${file}`, import.meta.url), 'utf8');
  // What the page runs is the bundled text (Vite's ?raw): the same.
  expect(SAMPLES.find((s) => s.file === file)?.sql).toBe(text);
  return text;
};

async function load(file: string): Promise<Database> {
  const db = await Database.open();
  await db.exec(sql(file));
  return db;
}

const count = async (db: Database, table: string): Promise<number> => Number((await db.query(`SELECT count(*) AS n FROM ${table}`)).rows[0].n);

describe('sample databases', () => {
  it('every sample listed in src/samples.ts has its file', () => {
    expect(SAMPLES.map((s) => s.file).sort()).toEqual(fs.readdirSync(new URL('../samples/', import.meta.url)).filter((f) => f.endsWith('.sql')).sort());
  });

  it('shop: customers, products, orders and lines, joined and aggregated', async () => {
    const db = await load('shop.sql');
    try {
      expect(await count(db, 'customers')).toBe(6);
      expect(await count(db, 'order_items')).toBe(14);
      const r = await db.query(`SELECT c.name, sum(i.quantity * p.price) AS spent
          FROM customers c JOIN orders o ON o.customer_id = c.id
          JOIN order_items i ON i.order_id = o.id JOIN products p ON p.id = i.product_id
         GROUP BY c.name ORDER BY spent DESC LIMIT 1`);
      expect(r.rows).toEqual([{ name: 'Alice Martin', spent: '113.50' }]);
      await expect(db.query("INSERT INTO orders VALUES (99, 42, '2026-04-01')")).rejects.toMatchObject({ code: '23503' });
    } finally {
      await db.close();
    }
  });

  it('bank: accounts whose balance cannot go negative', async () => {
    const db = await load('bank.sql');
    try {
      expect((await db.query('SELECT sum(balance) AS total FROM accounts')).rows).toEqual([{ total: '5450.00' }]);
      await expect(db.query('UPDATE accounts SET balance = balance - 500 WHERE id = 2')).rejects.toMatchObject({ code: '23514' });
    } finally {
      await db.close();
    }
  });

  it('events: 10 000 rows; an index on user_id changes the plan of a selective query', async () => {
    const db = await load('events.sql');
    try {
      expect(await count(db, 'events')).toBe(10000);
      const plan = async (): Promise<string> =>
        (await db.query<unknown[]>('EXPLAIN SELECT * FROM events WHERE user_id = 42', [], { rowMode: 'array' })).rows.map((r) => String(r[0])).join('\n');
      expect(await plan()).toMatch(/^Seq Scan on events/);
      await db.exec('CREATE INDEX events_user_id_idx ON events (user_id)');
      expect(await plan()).toMatch(/Index Scan using events_user_id_idx|Bitmap Heap Scan on events/);
      expect(await count(db, 'events WHERE user_id = 42')).toBe(10);
    } finally {
      await db.close();
    }
  });
});
