/*
 * engine_worker.ts — the in-memory engines of the speed page (speed_page.ts)
 * in a module Web Worker, reached through comlink: tabgres as
 * Database.open() on a MemoryDirectory, or PGlite in memory.
 *
 * Why a worker and not the page's main thread: the OPFS column runs its
 * statements on a backend worker of the postmaster, one postMessage round
 * trip each; putting the in-memory engines behind the same kind of hop
 * makes the OPFS / memory ratio measure the storage, not the messaging.
 * (The postmaster itself cannot run on memory: its backends are separate
 * workers, and a MemoryDirectory cannot be shared between workers.)
 *
 * run(sql) returns the statement's checksum (bench/speed/checksum.ts), as
 * the page computes it for the OPFS column, so answers can be compared.
 */

import { expose } from 'comlink';
import { PGlite } from '@electric-sql/pglite';
import { Database } from '@tabgres/engine';
import { kindOf, sumFirstColumn } from '../../../bench/speed/checksum.ts';

export type WorkerEngine = 'tabgres' | 'pglite';

let run: ((sql: string) => Promise<number>) | null = null;
let close: (() => Promise<void>) | null = null;

const api = {
  async open(engine: WorkerEngine): Promise<void> {
    if (engine === 'tabgres') {
      const db = await Database.open();
      run = async (sql) => {
        const kind = kindOf(sql);
        const rs = await db.exec(sql);
        const r = rs[rs.length - 1];
        if (r === undefined || kind === 2) return 0;
        return kind === 1 ? r.rowCount : sumFirstColumn(r.rows, r.fields[0]?.name);
      };
      close = () => db.close();
    } else {
      const pg = await PGlite.create();
      run = async (sql) => {
        const kind = kindOf(sql);
        const rs = await pg.exec(sql);
        const r = rs[rs.length - 1];
        if (r === undefined || kind === 2) return 0;
        return kind === 1 ? (r.affectedRows ?? 0) : sumFirstColumn(r.rows as Record<string, unknown>[], r.fields[0]?.name);
      };
      close = () => pg.close();
    }
  },
  run(sql: string): Promise<number> {
    if (run === null) throw new Error('engine_worker.ts: open() first');
    return run(sql);
  },
  async close(): Promise<void> {
    await close?.();
    run = close = null;
  },
};

export type EngineWorkerApi = typeof api;

expose(api);
