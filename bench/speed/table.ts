/*
 * table.ts — the SQL benchmark's result table: one row per test, a column
 * per engine, the ratios tabgres/PGlite and tabgres/sql.js, the goal and
 * whether it is met.
 *
 * Exports: Cell, Unit, Goal, SqlRow, SqlTable.
 *
 * A ratio is always tabgres's time over the other engine's time (for a
 * rate row: the other's rate over tabgres's), so below 1 means tabgres is
 * the faster, whatever the row's unit. A cell is a number, or an error: a
 * failing statement prints "error: <message>" in its cell (the message in
 * full in the notes) and the run goes on.
 */

import type { EngineKey } from './systems.ts';

export type Unit = 'ms' | 'q/s' | 'rows/s';
/**
 * A figure, or why there is none. `partial` ("k/n"): the loop stopped at its
 * time budget after k of its n items; for a time (ms) the figure is then a
 * lower bound, for a rate it is the rate over the k items done.
 */
export type Cell = { value: number; partial?: string } | { error: string };

export type Goal =
  | { kind: 'notSlowerThan'; than: EngineKey } // tabgres's time <= that engine's
  | { kind: 'atLeast'; value: number }; // tabgres's rate >= value

export interface SqlRow {
  label: string;
  unit: Unit;
  goal?: Goal;
  cells: Partial<Record<EngineKey, Cell>>;
}

const NAMES: Record<EngineKey, string> = { tabgres: 'tabgres', pglite: 'PGlite', sqljs: 'sql.js' };
const MAX_ERROR = 48;

function fmtValue(v: number, unit: Unit): string {
  switch (unit) {
    case 'ms':
      return v >= 100 ? `${v.toFixed(0)} ms` : `${v.toFixed(1)} ms`;
    case 'q/s':
      return `${Math.round(v).toLocaleString('en-US')} /s`;
    case 'rows/s':
      return `${(v / 1e6).toFixed(2)} M/s`;
  }
}

/** The figure of a cell as a time (bigger = slower), or undefined; `lowerBound` also accepts a cut-short time. */
function timeOf(c: Cell | undefined, unit: Unit, lowerBound = false): number | undefined {
  if (c === undefined || !('value' in c) || c.value <= 0) return undefined;
  if (unit !== 'ms') return 1 / c.value;
  return c.partial === undefined || lowerBound ? c.value : undefined;
}

const isCut = (c: Cell | undefined, unit: Unit): boolean => unit === 'ms' && c !== undefined && 'value' in c && c.partial !== undefined;

export class SqlTable {
  readonly rows: SqlRow[] = [];
  readonly notes: string[] = [];

  add(row: SqlRow): SqlRow {
    this.rows.push(row);
    return row;
  }

  note(text: string): void {
    this.notes.push(text);
  }

  /** Whether the row's goal is met: true, false, or undefined when it cannot be told (an error, no goal). */
  static met(row: SqlRow): boolean | undefined {
    const g = row.goal;
    if (g === undefined) return undefined;
    const tg = row.cells.tabgres;
    if (tg !== undefined && 'error' in tg) return false;
    const t = timeOf(tg, row.unit, true);
    if (t === undefined) return undefined;
    if (g.kind === 'atLeast') return 1 / t >= g.value;
    const o = timeOf(row.cells[g.than], row.unit);
    if (o === undefined) return undefined;
    // A cut-short time is a lower bound: it can only tell that the goal is missed.
    if (isCut(tg, row.unit)) return t > o ? false : undefined;
    return t <= o;
  }

  print(log: (line: string) => void): void {
    const fullErrors: string[] = [];
    const cell = (row: SqlRow, k: EngineKey): string => {
      const c = row.cells[k];
      if (c === undefined) return '—';
      if ('error' in c) {
        if (c.error.length > MAX_ERROR) fullErrors.push(`${row.label}, ${NAMES[k]}: error: ${c.error}`);
        return `error: ${c.error.length > MAX_ERROR ? `${c.error.slice(0, MAX_ERROR - 1)}…` : c.error}`;
      }
      if (c.partial === undefined) return fmtValue(c.value, row.unit);
      return row.unit === 'ms' ? `> ${fmtValue(c.value, row.unit)} (${c.partial})` : `${fmtValue(c.value, row.unit)} (${c.partial})`;
    };
    const ratio = (row: SqlRow, k: EngineKey): string => {
      const a = timeOf(row.cells.tabgres, row.unit, true);
      const b = timeOf(row.cells[k], row.unit);
      if (a === undefined || b === undefined) return '—';
      return `${isCut(row.cells.tabgres, row.unit) ? '> ' : ''}${(a / b).toFixed(2)}`;
    };
    const goal = (row: SqlRow): string => {
      const g = row.goal;
      if (g === undefined) return '';
      return g.kind === 'notSlowerThan' ? `≤ ${NAMES[g.than]}` : `≥ ${fmtValue(g.value, row.unit)}`;
    };
    const header = ['test', 'tabgres', 'PGlite', 'sql.js', 'tg/PGlite', 'tg/sql.js', 'goal', 'met?'];
    const rows = this.rows.map((r) => {
      const m = SqlTable.met(r);
      return [r.label, cell(r, 'tabgres'), cell(r, 'pglite'), cell(r, 'sqljs'), ratio(r, 'pglite'), ratio(r, 'sqljs'), goal(r),
        r.goal === undefined ? '' : m === undefined ? '—' : m ? 'yes' : 'NO'];
    });
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
    const line = (cells: string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
    log(line(header));
    log(widths.map((w) => '-'.repeat(w)).join('  '));
    for (const r of rows) log(line(r));
    log('');
    log('Ratios are tabgres\'s time over the other engine\'s (for rates, the inverse of the rate ratio): below 1 = tabgres is faster.');
    const goals = this.rows.filter((r) => r.goal !== undefined);
    const met = goals.filter((r) => SqlTable.met(r) === true).length;
    log(`Goals met: ${met} of ${goals.length}.`);
    for (const note of [...this.notes, ...fullErrors]) log(`- ${note}`);
  }
}
