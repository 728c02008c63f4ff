/*
 * randomized.test.ts — a seeded randomized differential test in the style
 * of SQLancer's query partitioning: random tables and data, then random
 * queries from a small grammar of supported features (expressions,
 * predicates with NULLs, joins, aggregates, GROUP BY / HAVING, DISTINCT,
 * ORDER BY, LIMIT, set operations), each run on PostgreSQL (PGlite) and on
 * tabgres and compared as psql-style text (harness.ts).
 *
 * A few hundred queries run in `npm test`; TABGRES_FUZZ_QUERIES=N runs N,
 * TABGRES_FUZZ_SEED=S picks the seed. A mismatch prints the query, both
 * outputs and the seed. The test fails on a crash (anything thrown that is
 * not a PgError) and when the share of agreeing queries drops below
 * TABGRES_FUZZ_MIN_AGREE (default 0: report only, until the pipeline is
 * complete).
 */

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PgliteSide, prng, renderOutcome, type Side } from './harness.ts';
import { openTabgresSide } from './tabgres_side.ts';

const QUERIES = Number(process.env.TABGRES_FUZZ_QUERIES ?? 300);
const SEED = Number(process.env.TABGRES_FUZZ_SEED ?? 20261125);
const MIN_AGREE = Number(process.env.TABGRES_FUZZ_MIN_AGREE ?? 0);

type ColType = 'int' | 'bigint' | 'text' | 'numeric' | 'bool';

interface Table {
  name: string;
  cols: { name: string; type: ColType }[];
}

class QueryGen {
  readonly tables: Table[] = [];
  constructor(private readonly rnd: () => number) {}

  int(n: number): number {
    return Math.floor(this.rnd() * n);
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)];
  }
  chance(p: number): boolean {
    return this.rnd() < p;
  }

  literal(t: ColType): string {
    if (this.chance(0.1)) return 'NULL';
    switch (t) {
      case 'int': return String(this.int(21) - 10);
      case 'bigint': return String(this.int(2001) - 1000);
      case 'numeric': return (this.int(2001) / 100 - 10).toFixed(2);
      case 'text': return `'${this.pick(['a', 'b', 'ab', 'ba', 'abc', '', 'B', 'x y', 'zz'])}'`;
      case 'bool': return this.pick(['true', 'false']);
    }
  }

  /** CREATE TABLE and INSERT statements for a fresh schema. */
  schema(): string[] {
    const out: string[] = [];
    const ntables = 2 + this.int(2);
    for (let i = 0; i < ntables; i++) {
      const cols: Table['cols'] = [{ name: 'k', type: 'int' }];
      const ncols = 2 + this.int(3);
      for (let j = 0; j < ncols; j++) cols.push({ name: `c${j}`, type: this.pick(['int', 'int', 'bigint', 'text', 'numeric', 'bool'] as const) });
      const t: Table = { name: `t${i}`, cols };
      this.tables.push(t);
      out.push(`CREATE TABLE ${t.name} (${cols.map((c) => `${c.name} ${c.type}`).join(', ')})`);
      const nrows = this.int(15);
      if (nrows > 0) {
        const rows: string[] = [];
        for (let r = 0; r < nrows; r++) rows.push(`(${cols.map((c) => (c.name === 'k' ? String(this.int(8)) : this.literal(c.type))).join(', ')})`);
        out.push(`INSERT INTO ${t.name} VALUES ${rows.join(', ')}`);
      }
      if (this.chance(0.4)) out.push(`CREATE INDEX ON ${t.name} (k)`);
    }
    return out;
  }

  private colsOf(aliases: { alias: string; table: Table }[], type?: ColType): string[] {
    const out: string[] = [];
    for (const a of aliases) for (const c of a.table.cols) if (type === undefined || c.type === type || (type === 'int' && c.type === 'bigint')) out.push(`${a.alias}.${c.name}`);
    return out;
  }

  /** A numeric expression over the given FROM items. */
  numExpr(from: { alias: string; table: Table }[], depth = 0): string {
    const cols = this.colsOf(from, 'int');
    if (depth > 2 || this.chance(0.5)) return cols.length > 0 && this.chance(0.7) ? this.pick(cols) : this.literal('int');
    switch (this.int(5)) {
      case 0: return `(${this.numExpr(from, depth + 1)} + ${this.numExpr(from, depth + 1)})`;
      case 1: return `(${this.numExpr(from, depth + 1)} - ${this.numExpr(from, depth + 1)})`;
      case 2: return `(${this.numExpr(from, depth + 1)} * ${this.numExpr(from, depth + 1)})`;
      case 3: return `abs(${this.numExpr(from, depth + 1)})`;
      default: return `COALESCE(${this.numExpr(from, depth + 1)}, ${this.literal('int')})`;
    }
  }

  predicate(from: { alias: string; table: Table }[], depth = 0): string {
    if (depth < 2 && this.chance(0.3)) {
      const op = this.pick(['AND', 'OR']);
      return `(${this.predicate(from, depth + 1)} ${op} ${this.predicate(from, depth + 1)})`;
    }
    if (depth < 2 && this.chance(0.1)) return `NOT ${this.predicate(from, depth + 1)}`;
    const textCols = this.colsOf(from, 'text');
    const boolCols = this.colsOf(from, 'bool');
    switch (this.int(8)) {
      case 0: return `${this.numExpr(from)} ${this.pick(['=', '<>', '<', '<=', '>', '>='])} ${this.numExpr(from)}`;
      case 1: return `${this.numExpr(from)} IS ${this.pick(['', 'NOT '])}NULL`;
      case 2: return `${this.numExpr(from)} BETWEEN ${this.literal('int')} AND ${this.literal('int')}`;
      case 3: return `${this.numExpr(from)} ${this.pick(['', 'NOT '])}IN (${this.literal('int')}, ${this.literal('int')}, ${this.literal('int')})`;
      case 4: return textCols.length > 0 ? `${this.pick(textCols)} ${this.pick(['LIKE', 'NOT LIKE'])} '${this.pick(['a%', '%b', '_', '%', 'a_c'])}'` : 'true';
      case 5: return textCols.length > 0 ? `${this.pick(textCols)} ${this.pick(['=', '<', '>='])} ${this.literal('text')}` : 'false';
      case 6: return boolCols.length > 0 ? `${this.pick(boolCols)} IS ${this.pick(['TRUE', 'FALSE', 'NOT TRUE', 'UNKNOWN'])}` : 'true';
      default: return `${this.numExpr(from)} IS DISTINCT FROM ${this.numExpr(from)}`;
    }
  }

  query(): string {
    const t1 = this.pick(this.tables);
    const from = [{ alias: 'a', table: t1 }];
    let fromSql = `${t1.name} a`;
    if (this.chance(0.4)) {
      const t2 = this.pick(this.tables);
      from.push({ alias: 'b', table: t2 });
      const kind = this.pick(['JOIN', 'LEFT JOIN', 'RIGHT JOIN', 'FULL JOIN', 'CROSS JOIN']);
      fromSql += kind === 'CROSS JOIN' ? ` CROSS JOIN ${t2.name} b` : ` ${kind} ${t2.name} b ON a.k = b.k${this.chance(0.3) ? ` AND ${this.predicate(from)}` : ''}`;
    }
    const where = this.chance(0.7) ? ` WHERE ${this.predicate(from)}` : '';
    if (this.chance(0.3)) {
      // Aggregation.
      const g = this.pick(this.colsOf(from));
      const aggCols = this.colsOf(from, 'int');
      const arg = aggCols.length > 0 ? this.pick(aggCols) : '1';
      const aggs = [`count(*)`, `count(${arg})`, `sum(${arg})`, `min(${arg})`, `max(${arg})`, `avg(${arg})`];
      const sel = [g, this.pick(aggs), this.pick(aggs)];
      const having = this.chance(0.3) ? ` HAVING count(*) > ${this.int(3)}` : '';
      return `SELECT ${sel.join(', ')} FROM ${fromSql}${where} GROUP BY ${g}${having} ORDER BY 1, 2, 3`;
    }
    const n = 1 + this.int(3);
    const sel: string[] = [];
    for (let i = 0; i < n; i++) sel.push(this.chance(0.6) ? this.pick(this.colsOf(from)) : this.numExpr(from));
    const distinct = this.chance(0.15) ? 'DISTINCT ' : '';
    const order = sel.map((_, i) => `${i + 1}${this.chance(0.3) ? ' DESC' : ''}${this.chance(0.2) ? ' NULLS FIRST' : ''}`).join(', ');
    const limit = this.chance(0.2) ? ` LIMIT ${this.int(5)}` : '';
    if (this.chance(0.1)) {
      const op = this.pick(['UNION', 'UNION ALL', 'INTERSECT', 'EXCEPT']);
      const other = this.pick(this.tables);
      return `SELECT ${sel.map((_, i) => `a.k + ${i}`).join(', ')} FROM ${t1.name} a ${op} SELECT ${sel.map((_, i) => `k * ${i + 1}`).join(', ')} FROM ${other.name} ORDER BY ${sel.map((_, i) => i + 1).join(', ')}`;
    }
    return `SELECT ${distinct}${sel.join(', ')} FROM ${fromSql}${where} ORDER BY ${order}${limit}`;
  }
}

let pg: PgliteSide;
let tabgres: Side;

beforeAll(async () => {
  pg = await PgliteSide.start();
  tabgres = await openTabgresSide();
});

afterAll(async () => {
  await pg.close();
  await tabgres.close();
});

describe('randomized differential queries', () => {
  it(`${QUERIES} queries, seed ${SEED}`, async () => {
    const gen = new QueryGen(prng(SEED));
    const crashes: string[] = [];
    for (const s of gen.schema()) {
      const p = renderOutcome(await pg.run(s));
      expect(p.startsWith('ERROR'), `${s}\n${p}`).toBe(false);
      await tabgres.run(s);
    }
    let agree = 0;
    const mismatches: string[] = [];
    for (let i = 0; i < QUERIES; i++) {
      const q = gen.query();
      const p = renderOutcome(await pg.run(q));
      let t: string;
      try {
        t = renderOutcome(await tabgres.run(q));
      } catch (e) {
        t = `CRASH ${e instanceof Error ? e.stack ?? e.message : String(e)}`;
        crashes.push(`${q}\n${t}`);
      }
      if (p === t) agree++;
      else if (mismatches.length < 5) mismatches.push(`--- query ${i} (seed ${SEED})\n${q}\n--- postgres\n${p}\n--- tabgres\n${t}`);
    }
    console.log(`randomized: ${agree} / ${QUERIES} queries agree (seed ${SEED})${mismatches.length > 0 ? '\nfirst mismatches:\n' + mismatches.join('\n') : ''}`);
    expect(crashes).toEqual([]);
    expect(agree / QUERIES).toBeGreaterThanOrEqual(MIN_AGREE);
  });
});
