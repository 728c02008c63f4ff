/*
 * storage.bench.ts — the storage engine's micro-benchmark (`npm run bench`,
 * which bundles this file with esbuild first; run.mjs says why).
 *
 * A script, not a test: it prints numbers and ratios, and fails only when an
 * answer is wrong (a count or a sum that does not match), never when a
 * target is missed.
 *
 * What it measures, on ROWS narrow rows (int4, int4):
 *   heap insert   insertMany into a fresh table inside one transaction (and
 *                 insert(), one statement per row); WAL bytes per row
 *   seq scan      count(): the visibility-checked scan that does not deform
 *                 (COUNT(*)); scanEach() summing a column (SUM(a)). With the
 *                 table in shared_buffers: the first scan (it sets the hint
 *                 bits), then later ones; with 256 buffers, so every page
 *                 is read from the memory directory; after VACUUM, when
 *                 all-visible pages skip the per-tuple checks
 *   B-tree        createIndex on t(a) over the loaded table (bottom-up build);
 *                 point lookups of random keys through one index scan
 *                 re-scanned per key (an index nested loop's inner side);
 *                 range scans of RANGE_WIDTH keys returning heap rows, and
 *                 index-only after VACUUM
 *   pin + unpin   readBuffer + releaseBuffer of a page already in the pool
 *   commit        single-row transactions on a NodeDirectory under
 *                 os.tmpdir(), synchronous_commit on (an fsync per commit)
 *                 and off
 * and the same loads and scans in PGlite and sql.js (others.ts).
 *
 * Side by side: the systems take turns round by round (tabgres, PGlite,
 * sql.js, tabgres, ...), so a burst of load from elsewhere on the machine
 * lands on all of them alike and the ratios stay fair. Each figure is the
 * median of its rounds, after warm-up rounds.
 *
 * Options (after `npm run bench --`): --rows=N; --quick (fewer rounds);
 * --only=insert,scan,index,commit,others (default: all; "others" = PGlite
 * and sql.js).
 */

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { MemoryDirectory, NodeDirectory } from '@tabgres/opfs-storage';
import { StorageEngine } from '../packages/engine/src/engine.ts';
import type { Relation } from '../packages/engine/src/access/heap/relation.ts';
import type { IndexRelation, ScanKey } from '../packages/engine/src/access/nbtree/nbtree.ts';
import { Prng } from '@tabgres/opfs-storage';
import type { ColumnDef } from '../packages/engine/src/access/common/tupdesc.ts';
import type { TypeInfo } from '../packages/engine/src/utils/adt/datum.ts';
import { INT4OID, typeByOid } from '../packages/engine/src/utils/adt/types.ts';
import { ForkNumber } from '../packages/engine/src/storage/relfilelocator.ts';
import { addTimings, check, median, medianTiming, percentile, perSecond, startTiming, timeAsync, timeMedian, type Timing } from './measure.ts';
import { n, Report } from './report.ts';
import { openPGlite, openSqlJs, type SqlSystem } from './others.ts';

// ------------------------------------------------------------------ settings

const args = process.argv.slice(2);
const argValue = (name: string): string | undefined => args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const QUICK = args.includes('--quick');
const ONLY = new Set((argValue('only') ?? 'insert,scan,index,commit,others').split(','));

/** Rows in every table; 1M narrow rows fill 4,425 heap pages (35 MB). */
const ROWS = Number(argValue('rows') ?? 1_000_000);
/** shared_buffers for the in-memory runs: 16384 pages = 128 MB holds the table. */
const BIG_BUFFERS = 16384;
/** shared_buffers for the run where the table does not fit. */
const SMALL_BUFFERS = 256;
const SCAN_WARMUPS = 2;
const SCAN_ROUNDS = QUICK ? 3 : 7;
const INSERT_ROUNDS = QUICK ? 1 : 3;
/** PGlite takes ~3-8 s per million-row load here, so it and sql.js load fewer times. */
const OTHER_INSERT_ROUNDS = QUICK ? 1 : 2;
/** Rows of the untimed warm-up load that JIT-compiles the insert and scan paths. */
const WARMUP_ROWS = Math.min(ROWS, 200_000);
const PIN_PAIRS = 2_000_000;
const PIN_ROUNDS = QUICK ? 3 : 5;
/** Single-row transactions: stop after this many or this long, whichever comes first. */
const COMMITS_MAX = 2000;
const COMMIT_SECONDS_MAX = QUICK ? 1 : 3;

/** Point lookups per round: tabgres answers in microseconds, PGlite and sql.js run a statement per key. */
const LOOKUPS = QUICK ? 50_000 : 200_000;
const OTHER_LOOKUPS = QUICK ? 2_000 : 10_000;
/** Range scans per round, each over RANGE_WIDTH consecutive keys. */
const RANGE_SCANS = QUICK ? 500 : 2_000;
const OTHER_RANGE_SCANS = QUICK ? 200 : 500;
const RANGE_WIDTH = 1_000;
const INDEX_ROUNDS = QUICK ? 1 : 3;
const INDEX_BUILD_ROUNDS = QUICK ? 1 : 2;

const TARGET_SCAN_ROWS_PER_S = 20e6;
const TARGET_INSERTS_PER_S = 1e6;
const TARGET_PIN_NS = 100;

const int4 = typeByOid(INT4OID) as TypeInfo;
const COLUMNS: ColumnDef[] = [{ name: 'a', type: int4, notNull: true }, { name: 'b', type: int4 }];
const EXPECTED_SUM = (ROWS * (ROWS - 1)) / 2;

const report = new Report();
report.define('insert', 'heap insert, 1 xact (insertMany)', 'rows/s', TARGET_INSERTS_PER_S);
report.define('insertCommit', '  same, incl. COMMIT', 'rows/s');
report.define('insertEach', 'heap insert, 1 xact (insert per row)', 'rows/s');
report.define('scanFirst', 'seq scan COUNT, first (sets hints)', 'rows/s');
report.define('count', 'seq scan COUNT(*), in buffers', 'rows/s', TARGET_SCAN_ROWS_PER_S);
report.define('sum', 'seq scan SUM(a), in buffers', 'rows/s');
report.define('countSmall', `seq scan COUNT, ${SMALL_BUFFERS} buffers`, 'rows/s');
report.define('countVac', 'seq scan COUNT, after VACUUM', 'rows/s');
report.define('sumVac', 'seq scan SUM(a), after VACUUM', 'rows/s');
report.define('indexBuild', `B-tree build, ${n(ROWS)} int4 keys`, 's');
report.define('lookup', 'B-tree point lookup (heap row)', 'K/s');
report.define('range', `B-tree range scan, ${n(RANGE_WIDTH)} keys (heap rows)`, 'rows/s');
report.define('rangeIos', '  same, index-only after VACUUM', 'rows/s');
report.define('pin', 'buffer hit: pin + unpin', 'ns', TARGET_PIN_NS);
report.define('pinHeld', '  page already pinned', 'ns');
report.define('commit', 'commit, 1-row xact, fsync', 'commits/s');
report.define('commitAsync', 'commit, 1-row xact, sync off', 'commits/s');

// ------------------------------------------------------------------ tabgres

/** The tabgres side: one engine on a memory directory, table t loaded with insertMany. */
class Tabgres {
  dir = new MemoryDirectory();
  db: StorageEngine;
  rel: Relation;

  constructor(sharedBuffers = BIG_BUFFERS) {
    this.db = StorageEngine.open({ dir: this.dir, sharedBuffers });
    this.rel = this.create();
  }

  private create(): Relation {
    this.db.begin();
    const rel = this.db.createRelation('t', COLUMNS);
    this.db.commit();
    return rel;
  }

  /** Fills t inside one transaction; the insert and the COMMIT timed apart. */
  load(rows: readonly number[][]): { insert: Timing; commit: Timing; walBytes: number } {
    const db = this.db;
    db.begin();
    const wal0 = db.xlog.getInsertRecPtr();
    const stopInsert = startTiming();
    db.insertMany(this.rel, rows);
    const insert = stopInsert();
    const walBytes = db.xlog.getInsertRecPtr() - wal0;
    const stopCommit = startTiming();
    db.commit();
    return { insert, commit: stopCommit(), walBytes };
  }

  count(): number {
    return this.db.count(this.rel);
  }

  sum(): number {
    let sum = 0;
    this.db.scanEach(this.rel, (values) => {
      sum += values[0] as number;
    });
    return sum;
  }

  /** Closes the engine and opens the same directory again, with another pool size. */
  reopen(sharedBuffers: number): void {
    const oid = this.rel.oid;
    this.db.close();
    this.db = StorageEngine.open({ dir: this.dir, sharedBuffers });
    this.rel = this.db.openRelation({ oid, name: 't', columns: COLUMNS });
  }

  bufferStats(): BufferStats {
    return { ...this.db.stats().buffers };
  }
}

type BufferStats = StorageEngine['bufmgr']['stats'];

function statsDelta(before: BufferStats, after: BufferStats): string {
  return `hits ${n(after.hits - before.hits)}, reads ${n(after.reads - before.reads)}, writes ${n(after.writes - before.writes)}, extends ${n(after.extends - before.extends)}`;
}

function makeRows(count: number): number[][] {
  const rows = new Array<number[]>(count);
  for (let i = 0; i < count; i++) rows[i] = [i, i * 2];
  return rows;
}

/** JIT-compiles the insert path and both scans on a smaller table, so no timed round runs cold code. */
function warmUp(): void {
  const w = new Tabgres();
  w.load(makeRows(WARMUP_ROWS));
  for (let i = 0; i < 3; i++) {
    w.count();
    w.sum();
  }
  w.db.close();
}

function benchInsertEach(rows: readonly number[][]): void {
  // insert(): every row a statement of its own (a transaction command
  // started and ended, CommandCounterIncrement), inside one transaction block.
  const t = new Tabgres();
  t.db.begin();
  const stop = startTiming();
  for (let i = 0; i < rows.length; i++) t.db.insert(t.rel, rows[i]);
  report.tabgres('insertEach', ROWS, stop());
  t.db.commit();
  t.db.close();
}

function benchPins(t: Tabgres): void {
  const bm = t.db.bufmgr;
  const loc = t.rel.locator;
  const nblocks = bm.nblocks(loc, ForkNumber.MAIN);
  // Cycling over the table's pages, all in the pool: lookup, pin (a CAS on
  // the shared header), unpin (another CAS).
  report.tabgres('pin', PIN_PAIRS, timeMedian(1, PIN_ROUNDS, () => {
    let block = 0;
    for (let i = 0; i < PIN_PAIRS; i++) {
      bm.releaseBuffer(bm.readBuffer(loc, ForkNumber.MAIN, block));
      if (++block === nblocks) block = 0;
    }
  }));
  // With the page already pinned, only the backend-local count moves: the
  // lookup alone, no atomic operations.
  const held = bm.readBuffer(loc, ForkNumber.MAIN, 0);
  report.tabgres('pinHeld', PIN_PAIRS, timeMedian(1, PIN_ROUNDS, () => {
    for (let i = 0; i < PIN_PAIRS; i++) bm.releaseBuffer(bm.readBuffer(loc, ForkNumber.MAIN, 0));
  }));
  bm.releaseBuffer(held);
}

function benchSmallPool(t: Tabgres): void {
  t.db.checkpoint();
  t.reopen(SMALL_BUFFERS);
  const s0 = t.bufferStats();
  report.tabgres('countSmall', ROWS, timeMedian(1, SCAN_ROUNDS, () => check('count', t.count(), ROWS)));
  report.note(`buffers, ${1 + SCAN_ROUNDS} COUNT scans in ${SMALL_BUFFERS} buffers: ${statsDelta(s0, t.bufferStats())}`);
  t.reopen(BIG_BUFFERS);
}

interface CommitRun {
  perSec: number;
  latenciesMs: number[];
  walPerCommit: number;
  syncs: number;
}

/** Single-row transactions on a NodeDirectory: BEGIN; INSERT; COMMIT, each timed. */
function runCommits(synchronousCommit: boolean): CommitRun {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'tabgres-bench-'));
  try {
    const db = StorageEngine.open({ dir: new NodeDirectory(root), sharedBuffers: 1024, synchronousCommit });
    db.begin();
    const rel = db.createRelation('c', COLUMNS);
    db.commit();
    for (let i = 0; i < 50; i++) db.insert(rel, [i, i]); // warm-up: implicit single-row transactions
    const wal0 = db.xlog.getInsertRecPtr();
    const syncs0 = db.stats().wal.syncs;
    const latenciesMs: number[] = [];
    const start = performance.now();
    for (let i = 0; i < COMMITS_MAX && performance.now() - start < COMMIT_SECONDS_MAX * 1000; i++) {
      const t0 = performance.now();
      db.begin();
      db.insert(rel, [i, i]);
      db.commit();
      latenciesMs.push(performance.now() - t0);
    }
    const elapsed = performance.now() - start;
    const walPerCommit = (db.xlog.getInsertRecPtr() - wal0) / latenciesMs.length;
    const syncs = db.stats().wal.syncs - syncs0;
    db.close();
    return { perSec: perSecond(latenciesMs.length, elapsed), latenciesMs, walPerCommit, syncs };
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}

function benchCommits(): void {
  for (const [key, sync] of [['commit', true], ['commitAsync', false]] as const) {
    const r = runCommits(sync);
    report.tabgresValue(key, r.perSec);
    report.note(`commit, synchronous_commit=${sync ? 'on' : 'off'}: ${n(r.latenciesMs.length)} xacts, ${n(r.syncs)} WAL fsyncs, ` +
      `latency median ${median(r.latenciesMs).toFixed(3)} ms, p99 ${percentile(r.latenciesMs, 99).toFixed(3)} ms, ` +
      `WAL ${r.walPerCommit.toFixed(0)} B/xact${sync ? ` (NodeDirectory in ${os.tmpdir()})` : ''}`);
  }
}

// ------------------------------------------------------------------ side by side

/**
 * A query every system answers, timed in turns: `warmups` untimed rounds,
 * then `rounds` rounds in which each system runs once; the medians go to
 * the report under `key`.
 */
async function inTurns(key: string, t: Tabgres | null, others: readonly SqlSystem[], what: 'count' | 'sum', warmups: number, rounds: number): Promise<void> {
  const want = what === 'count' ? ROWS : EXPECTED_SUM;
  const tg: Timing[] = [];
  const ot = new Map<SqlSystem, Timing[]>(others.map((o) => [o, []]));
  for (let r = 0; r < warmups + rounds; r++) {
    if (t !== null) {
      const stop = startTiming();
      check(`tabgres ${what}`, what === 'count' ? t.count() : t.sum(), want);
      if (r >= warmups) tg.push(stop());
    }
    for (const o of others) {
      let got = 0;
      const timing = await timeAsync(async () => {
        got = what === 'count' ? await o.count() : await o.sum();
      });
      check(`${o.key} ${what}`, got, want);
      if (r >= warmups) ot.get(o)?.push(timing);
    }
  }
  if (t !== null) report.tabgres(key, ROWS, medianTiming(tg));
  for (const [o, ts] of ot) report.other(key, o.key, ROWS, medianTiming(ts));
}

async function benchSideBySide(rows: readonly number[][], others: readonly SqlSystem[]): Promise<Tabgres | null> {
  const withInserts = ONLY.has('insert');
  const withScans = ONLY.has('scan');
  const loadRounds = withInserts ? INSERT_ROUNDS : 1;
  const inserts: Timing[] = [];
  const withCommit: Timing[] = [];
  const commitMs: number[] = [];
  const otherLoads = new Map<SqlSystem, Timing[]>(others.map((o) => [o, []]));
  let t: Tabgres | null = null;
  let walBytes = 0;
  for (let r = 0; r < loadRounds; r++) {
    t?.db.close();
    t = new Tabgres();
    const l = t.load(rows);
    inserts.push(l.insert);
    withCommit.push(addTimings(l.insert, l.commit));
    commitMs.push(l.commit.wallMs);
    walBytes = l.walBytes;
    for (const o of others) if (r < OTHER_INSERT_ROUNDS || !withInserts) otherLoads.get(o)?.push(await o.load(ROWS));
  }
  if (t === null) return null;
  if (withInserts) {
    report.tabgres('insert', ROWS, medianTiming(inserts));
    report.tabgres('insertCommit', ROWS, medianTiming(withCommit));
    for (const [o, ts] of otherLoads) report.other('insertCommit', o.key, ROWS, medianTiming(ts));
    report.note(`insert: ${n(ROWS)} rows → ${n(t.bufferStats().extends)} pages extended, WAL ${n(walBytes)} bytes ` +
      `(${(walBytes / ROWS).toFixed(1)} B/row); COMMIT of the ${n(ROWS)}-row xact ${median(commitMs).toFixed(1)} ms`);
    benchInsertEach(rows);
  }
  if (!withScans) return t;

  // The first scan after the load checks CLOG for every tuple and sets the
  // hint bits; the first hint on a page since the checkpoint logs its image.
  const w0 = t.db.stats().wal;
  report.note(`WAL of the last load: ${n(w0.records)} records, ${n(w0.fpi)} full-page images, ${n(w0.writes)} writes, ${n(w0.syncs)} syncs, ${n(w0.checkpointsDone)} checkpoints`);
  await inTurns('scanFirst', t, others, 'count', 0, 1);
  const w1 = t.db.stats().wal;
  report.note(`WAL of the first scan (hint bits): ${n(w1.records - w0.records)} records, ${n(w1.fpi - w0.fpi)} full-page images`);
  const s0 = t.bufferStats();
  await inTurns('count', t, others, 'count', SCAN_WARMUPS, SCAN_ROUNDS);
  report.note(`buffers, ${SCAN_WARMUPS + SCAN_ROUNDS} COUNT scans in ${n(BIG_BUFFERS)} buffers: ${statsDelta(s0, t.bufferStats())}`);
  await inTurns('sum', t, others, 'sum', SCAN_WARMUPS, SCAN_ROUNDS);
  benchPins(t);
  benchSmallPool(t);

  // After VACUUM every page is all-visible and the scans skip the per-tuple checks.
  const stopVacuum = startTiming();
  const vs = t.db.vacuum(t.rel);
  report.note(`VACUUM: ${stopVacuum().wallMs.toFixed(0)} ms, ${n(vs.pagesScanned)} pages scanned, ${n(vs.pagesAllVisible)} set all-visible`);
  const vacuumed: SqlSystem[] = [];
  for (const o of others) {
    if (o.vacuum === null) continue;
    await o.vacuum();
    vacuumed.push(o);
  }
  await inTurns('countVac', t, vacuumed, 'count', SCAN_WARMUPS, SCAN_ROUNDS);
  await inTurns('sumVac', t, vacuumed, 'sum', SCAN_WARMUPS, SCAN_ROUNDS);
  return t;
}

// ------------------------------------------------------------------ B-tree

const A_KEY = [{ name: 'a', type: int4, heapAttnum: 1 }];

/** Point lookups through one cursor re-scanned per key; the sum of b over the rows found. */
function tgLookups(db: StorageEngine, index: IndexRelation, keys: Int32Array): number {
  const key: ScanKey[] = [{ attno: 1, op: '=', arg: 0 }];
  db.startStatement();
  const c = db.beginIndexScan(index, key);
  let sum = 0;
  for (let i = 0; i < keys.length; i++) {
    key[0].arg = keys[i];
    c.rescan(key);
    while (c.next()) sum += c.values[1] as number;
  }
  c.end();
  db.endStatement();
  return sum;
}

/** Range scans [lo, lo + RANGE_WIDTH) through one cursor; the sum of b (or of a, index-only) over the rows. */
function tgRanges(db: StorageEngine, index: IndexRelation, los: Int32Array, indexOnly: boolean): { sum: number; heapFetches: number } {
  const keys: ScanKey[] = [{ attno: 1, op: '>=', arg: 0 }, { attno: 1, op: '<', arg: 0 }];
  db.startStatement();
  const c = db.beginIndexScan(index, keys, { indexOnly });
  const col = indexOnly ? 0 : 1;
  let sum = 0;
  for (let i = 0; i < los.length; i++) {
    keys[0].arg = los[i];
    keys[1].arg = los[i] + RANGE_WIDTH;
    c.rescan(keys);
    while (c.next()) sum += c.values[col] as number;
  }
  const heapFetches = c.heapFetches;
  c.end();
  db.endStatement();
  return { sum, heapFetches };
}

/** Sum of b = 2a over the given point keys, and over the given ranges. */
const lookupSum = (keys: Int32Array): number => keys.reduce((s, k) => s + 2 * k, 0);
const rangeSum = (los: Int32Array, factor: number): number => los.reduce((s, lo) => s + factor * (RANGE_WIDTH * lo + (RANGE_WIDTH * (RANGE_WIDTH - 1)) / 2), 0);

/**
 * The B-tree rows: build, point lookups, range scans, in turns with PGlite
 * and sql.js (whose t is loaded with the same rows); the keys are the same
 * for every system, drawn from a seeded generator.
 */
async function benchIndexes(t: Tabgres, others: readonly SqlSystem[]): Promise<void> {
  const db = t.db;
  const rng = new Prng(42);
  const keysOf = (count: number, max: number): Int32Array => Int32Array.from({ length: count }, () => rng.int(max));
  let index: IndexRelation | null = null;

  // Build: a fresh index each round (the previous one dropped), in turns.
  const builds: Timing[] = [];
  const otherBuilds = new Map<SqlSystem, Timing[]>(others.map((o) => [o, []]));
  for (let r = 0; r < INDEX_BUILD_ROUNDS; r++) {
    if (index !== null) db.dropIndex(index);
    const stop = startTiming();
    index = db.createIndex(t.rel, 't_a', { columns: A_KEY });
    builds.push(stop());
    for (const o of others) otherBuilds.get(o)?.push(await o.createIndex());
  }
  if (index === null) return;
  report.tabgres('indexBuild', ROWS, medianTiming(builds));
  for (const [o, ts] of otherBuilds) report.other('indexBuild', o.key, ROWS, medianTiming(ts));
  const st = db.indexStats(index);
  report.note(`B-tree on t(a): ${n(st.pages)} pages (${n(st.leafPages)} leaves), ${n(st.tuples)} entries, height ${st.height}; build = heap scan + sort + bottom-up load + WAL page images + COMMIT`);

  // Point lookups and range scans, the same keys for everyone, in turns.
  const lookupKeys = keysOf(LOOKUPS, ROWS);
  const otherLookupKeys = lookupKeys.subarray(0, OTHER_LOOKUPS);
  const los = keysOf(RANGE_SCANS, ROWS - RANGE_WIDTH);
  const otherLos = los.subarray(0, OTHER_RANGE_SCANS);
  const tl: Timing[] = [];
  const tr: Timing[] = [];
  const ol = new Map<SqlSystem, Timing[]>(others.map((o) => [o, []]));
  const or = new Map<SqlSystem, Timing[]>(others.map((o) => [o, []]));
  for (let r = 0; r < INDEX_ROUNDS + 1; r++) {
    const warm = r === 0;
    let stop = startTiming();
    check('tabgres lookups', tgLookups(db, index, lookupKeys), lookupSum(lookupKeys));
    if (!warm) tl.push(stop());
    stop = startTiming();
    check('tabgres ranges', tgRanges(db, index, los, false).sum, rangeSum(los, 2));
    if (!warm) tr.push(stop());
    for (const o of others) {
      let got = 0;
      const a = await timeAsync(async () => {
        got = await o.lookups(otherLookupKeys);
      });
      check(`${o.key} lookups`, got, lookupSum(otherLookupKeys));
      const b = await timeAsync(async () => {
        got = await o.rangeSums(otherLos, RANGE_WIDTH);
      });
      check(`${o.key} ranges`, got, rangeSum(otherLos, 2));
      if (!warm) {
        ol.get(o)?.push(a);
        or.get(o)?.push(b);
      }
    }
  }
  report.tabgres('lookup', LOOKUPS, medianTiming(tl));
  report.tabgres('range', RANGE_SCANS * RANGE_WIDTH, medianTiming(tr));
  for (const [o, ts] of ol) report.other('lookup', o.key, OTHER_LOOKUPS, medianTiming(ts));
  for (const [o, ts] of or) report.other('range', o.key, OTHER_RANGE_SCANS * RANGE_WIDTH, medianTiming(ts));

  // Index-only: after VACUUM every heap page is all-visible, so the heap is not visited at all.
  db.vacuum(t.rel);
  let fetches = 0;
  report.tabgres('rangeIos', RANGE_SCANS * RANGE_WIDTH, timeMedian(1, INDEX_ROUNDS, () => {
    const r = tgRanges(db, index, los, true);
    check('tabgres index-only ranges', r.sum, rangeSum(los, 1));
    fetches = r.heapFetches;
  }));
  report.note(`B-tree lookups: ${n(LOOKUPS)} random keys per round (PGlite and sql.js: the first ${n(OTHER_LOOKUPS)}, one prepared SELECT each); ` +
    `range scans: ${n(RANGE_SCANS)} (others ${n(OTHER_RANGE_SCANS)}) of ${n(RANGE_WIDTH)} keys, summing b; index-only heap fetches after VACUUM: ${n(fetches)}`);
}

// ------------------------------------------------------------------ main

function loadNote(): string {
  const [one, five] = os.loadavg();
  return `load average ${one.toFixed(2)} (1 min), ${five.toFixed(2)} (5 min) on ${os.cpus().length} CPUs`;
}

async function main(): Promise<void> {
  const cpus = os.cpus();
  const log = (line: string): void => console.log(line);
  log('tabgres storage benchmark');
  log(`machine: ${cpus[0]?.model ?? 'unknown CPU'} × ${cpus.length}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GB RAM, ${os.platform()} ${os.release()}, node ${process.version}`);
  log(`at start: ${loadNote()}`);
  log(`rows: ${n(ROWS)} narrow rows (int4, int4); medians of ${SCAN_ROUNDS} scan rounds (after ${SCAN_WARMUPS} warm-up), ` +
    `${INSERT_ROUNDS} tabgres / ${OTHER_INSERT_ROUNDS} PGlite and sql.js loads, ${PIN_ROUNDS} pin rounds`);
  log(`shared_buffers: ${n(BIG_BUFFERS)} (${(BIG_BUFFERS * 8) / 1024} MB) in memory, ${SMALL_BUFFERS} for the table-does-not-fit run; PGlite and sql.js in memory`);
  log('');
  const stop = startTiming();
  const rows = makeRows(ROWS);
  const others = ONLY.has('others') ? [await openPGlite(), await openSqlJs()] : [];
  if (ONLY.has('insert') || ONLY.has('scan') || ONLY.has('index')) {
    warmUp();
    const t = await benchSideBySide(rows, others);
    if (t !== null && ONLY.has('index')) await benchIndexes(t, others);
    t?.db.close();
  }
  for (const o of others) await o.close();
  if (ONLY.has('commit')) benchCommits();
  report.print(log);
  log('- tabgres and the ratios use the wall clock; "tg CPU-time" is tabgres\'s figure from process CPU time (user + system),');
  log('  which leaves out time spent waiting for a CPU while other processes run. tg/X > 1 means tabgres is faster.');
  log('- the systems take turns round by round; PGlite and sql.js load with one autocommitted INSERT ... SELECT over a');
  log('  generated series; sql.js answers count(*) from b-tree cell counts without visiting rows.');
  log(`- at end: ${loadNote()}; total ${(stop().wallMs / 1000).toFixed(1)} s`);
}

await main();
