/*
 * report.ts — the benchmark's result table: one row per metric, a column per
 * system, the ratios, the target and whether it was met.
 *
 *   metric | tabgres | tg CPU-time | PGlite | sql.js | tg/PGlite | tg/sql.js | target | met? wall/CPU
 *
 * Rates are printed in M/s (K/s for slow operations such as point
 * lookups), times in ns or s; a ratio > 1 always means tabgres is the
 * faster (for times the ratio is inverted).
 */

import { perSecond, type Timing } from './measure.ts';

export type Unit = 'rows/s' | 'K/s' | 'ns' | 's' | 'commits/s';

/** Units that are a time per run (smaller is better), not a rate. */
const isTime = (unit: Unit): boolean => unit === 'ns' || unit === 's';

/** A figure in the row's unit from `items` done in `ms`. */
function valueOf(unit: Unit, items: number, ms: number): number {
  if (unit === 'ns') return (ms * 1e6) / items;
  if (unit === 's') return ms / 1000;
  return perSecond(items, ms);
}
export type Other = 'pglite' | 'sqljs';

interface Metric {
  name: string;
  unit: Unit;
  /** Met when tabgres >= target (rates) or <= target (ns). */
  target?: number;
  tabgres?: number;
  /** tabgres's figure computed from CPU time instead of the wall clock. */
  tabgresCpu?: number;
  pglite?: number;
  sqljs?: number;
}

export class Report {
  private readonly metrics = new Map<string, Metric>();
  readonly notes: string[] = [];

  /** Adds a row; rows print in the order they were defined. */
  define(key: string, name: string, unit: Unit, target?: number): void {
    this.metrics.set(key, { name, unit, target });
  }

  private get(key: string): Metric {
    const m = this.metrics.get(key);
    if (m === undefined) throw new Error(`no metric "${key}"`);
    return m;
  }

  /** tabgres did `items` in time `t`: a rate, ns per item, or seconds in all, by the row's unit. */
  tabgres(key: string, items: number, t: Timing): void {
    const m = this.get(key);
    m.tabgres = valueOf(m.unit, items, t.wallMs);
    m.tabgresCpu = valueOf(m.unit, items, t.cpuMs);
  }

  /** A figure measured some other way (commits/s over a whole run). */
  tabgresValue(key: string, value: number): void {
    this.get(key).tabgres = value;
  }

  /** PGlite or sql.js did `items` in time `t` (the wall clock, as tabgres's main column). */
  other(key: string, who: Other, items: number, t: Timing): void {
    const m = this.get(key);
    m[who] = valueOf(m.unit, items, t.wallMs);
  }

  note(text: string): void {
    this.notes.push(text);
  }

  print(log: (line: string) => void): void {
    const header = ['metric', 'tabgres', 'tg CPU-time', 'PGlite', 'sql.js', 'tg/PGlite', 'tg/sql.js', 'target', 'met? wall/CPU'];
    const rows = [...this.metrics.values()].map((m) => [
      m.name,
      fmt(m.tabgres, m.unit),
      fmt(m.tabgresCpu, m.unit),
      fmt(m.pglite, m.unit),
      fmt(m.sqljs, m.unit),
      ratio(m.tabgres, m.pglite, m.unit),
      ratio(m.tabgres, m.sqljs, m.unit),
      m.target === undefined ? '' : `${isTime(m.unit) ? '≤' : '≥'} ${fmt(m.target, m.unit)}`,
      m.target === undefined ? '' : `${meets(m.tabgres, m)}/${meets(m.tabgresCpu, m)}`,
    ]);
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
    const line = (cells: string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
    log(line(header));
    log(widths.map((w) => '-'.repeat(w)).join('  '));
    for (const r of rows) log(line(r));
    log('');
    for (const note of this.notes) log(`- ${note}`);
  }
}

function fmt(v: number | undefined, unit: Unit): string {
  if (v === undefined) return '—';
  switch (unit) {
    case 'rows/s':
      return `${(v / 1e6).toFixed(2)} M/s`;
    case 'K/s':
      return `${(v / 1e3).toFixed(1)} K/s`;
    case 'ns':
      return `${v.toFixed(1)} ns`;
    case 's':
      return `${v.toFixed(2)} s`;
    case 'commits/s':
      return `${v.toFixed(0)} /s`;
  }
}

function ratio(a: number | undefined, b: number | undefined, unit: Unit): string {
  if (a === undefined || b === undefined || a === 0 || b === 0) return '—';
  return `${(isTime(unit) ? b / a : a / b).toFixed(2)}×`;
}

function meets(v: number | undefined, m: Metric): string {
  if (m.target === undefined || v === undefined) return '—';
  return (isTime(m.unit) ? v <= m.target : v >= m.target) ? 'yes' : 'NO';
}

/** 1234567 → "1,234,567" */
export const n = (x: number): string => x.toLocaleString('en-US');
