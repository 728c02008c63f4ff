/*
 * samples.ts — the sample databases the picker loads in one click: each is
 * a SQL script in ../samples/, bundled as text (Vite's ?raw) and run as
 * one simple-protocol script on a new database.
 *
 * Exports: SAMPLES, Sample
 */

/// <reference types="vite/client" />
import shopSql from '../samples/shop.sql?raw';
import bankSql from '../samples/bank.sql?raw';
import eventsSql from '../samples/events.sql?raw';

export interface Sample {
  /** The database's name, and the file's without .sql. */
  name: string;
  file: string;
  /** One line for the picker. */
  title: string;
  /** The script. */
  sql: string;
}

export const SAMPLES: readonly Sample[] = [
  { name: 'shop', file: 'shop.sql', title: 'shop: customers, products, orders (joins, aggregates, foreign keys)', sql: shopSql },
  { name: 'bank', file: 'bank.sql', title: 'bank: accounts and transfers (row locks, deadlocks)', sql: bankSql },
  { name: 'events', file: 'events.sql', title: 'events: 10 000 rows (an index changes the plan)', sql: eventsSql },
];
