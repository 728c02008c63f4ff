/*
 * tabgres_side.ts — the tabgres side of the differential tests: a fresh
 * in-memory Database, each statement through the backend's simple query
 * path (tcop/postgres.ts), the results rendered with the types' text output
 * (tcop/printtup.ts), as the PostgreSQL side renders the server's text.
 */

import { Database } from '../../src/database.ts';
import { rowToText } from '../../src/tcop/printtup.ts';
import type { Outcome, Side } from './harness.ts';

class TabgresSide implements Side {
  readonly name = 'tabgres';
  constructor(readonly db: Database) {}

  async run(sql: string): Promise<Outcome> {
    const out = this.db.backend.execSimpleQuery(sql);
    const o: Outcome = { results: [], notices: [], error: null };
    for (const r of out.results) {
      for (const n of r.notices) o.notices.push({ severity: n.severity, message: n.message });
      const fields = r.fields === null ? null : r.fields.map((f) => ({ name: f.name, typeOid: f.typeOid }));
      o.results.push({ fields, rows: r.rows.map((row) => rowToText(r.fields ?? [], row)), command: r.command });
    }
    for (const n of out.errorNotices) o.notices.push({ severity: n.severity, message: n.message });
    if (out.error !== null) {
      o.error = { code: out.error.code, message: out.error.message, ...(out.error.position !== undefined ? { position: out.error.position } : {}) };
    }
    return o;
  }

  async close(): Promise<void> {
    this.db.closeSync();
  }
}

export async function openTabgresSide(): Promise<Side> {
  return new TabgresSide(Database.openSync());
}
