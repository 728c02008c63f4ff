/*
 * nodeHash.ts — Hash (PostgreSQL's nodeHash.c): builds the in-memory hash
 * table of a hash join's inner side. It returns no rows itself; the
 * HashJoin above calls build() (MultiExecHash).
 *
 * The table maps a key (execGrouping.ts TupleKeyer: equal exactly when the
 * hash operators say the values are equal) to the inner rows with it. Rows
 * with a NULL key can never match; they are dropped, or kept aside for a
 * RIGHT or FULL join, which must return them unmatched.
 *
 * Memory: the kept rows count against work_mem. PostgreSQL would split the
 * table into batches on temporary files; past work_mem this fails with 53200.
 *
 * Exports: HashState, HashTable
 */

import type { Hash } from '../nodes/plannodes.ts';
import { exprType } from '../nodes/nodeFuncs.ts';
import { elog } from '../utils/errors.ts';
import type { EState, ExprState, PlanState, TupleTableSlot } from './execnodes.ts';
import { ExecInitExprList } from './execExpr.ts';
import { TupleKeyer, type HashKey } from './execGrouping.ts';
import { ExecInitNode } from './execProcnode.ts';
import { MemoryAccount, PlanStateBase } from './execUtils.ts';

export interface HashTable {
  buckets: Map<HashKey, unknown[][]>;
  /** Inner rows with a NULL key (kept only when asked for). */
  nullKeyRows: unknown[][];
  ntuples: number;
}

export class HashState extends PlanStateBase<Hash> {
  private readonly child: PlanState;
  private readonly keys: ExprState[];
  private readonly keyer: TupleKeyer;
  private readonly keyVals: unknown[];
  private readonly identity: number[];
  readonly mem: MemoryAccount;
  /** Set by the HashJoin for RIGHT and FULL joins. */
  keepNullKeys = false;
  private built = false;

  constructor(plan: Hash, estate: EState) {
    super(plan, estate);
    if (plan.lefttree === null) throw new Error('Hash without a child');
    this.child = ExecInitNode(plan.lefttree, estate);
    this.keys = ExecInitExprList(plan.hashkeys, this, estate);
    this.keyer = new TupleKeyer(plan.hashkeys.map(exprType));
    this.keyVals = new Array<unknown>(plan.hashkeys.length).fill(null);
    this.identity = plan.hashkeys.map((_, i) => i);
    this.mem = new MemoryAccount(estate, 'Hash');
  }

  /** Reads the whole inner side into a new table. */
  build(): HashTable {
    const t0 = this.instrument !== null ? performance.now() : 0;
    const table: HashTable = { buckets: new Map(), nullKeyRows: [], ntuples: 0 };
    const ec = this.econtext;
    const keys = this.keys;
    const nk = keys.length;
    const kv = this.keyVals;
    const mem = this.mem;
    mem.reset();
    this.built = true;
    for (let s = this.child.next(); s !== null; s = this.child.next()) {
      ec.outertuple = s;
      for (let i = 0; i < nk; i++) kv[i] = keys[i](ec);
      const key = this.keyer.key(kv, this.identity, false);
      if (key === null) {
        if (this.keepNullKeys) {
          const row = s.copyValues();
          mem.addRow(row);
          table.nullKeyRows.push(row);
        }
        continue;
      }
      const row = s.copyValues();
      mem.addRow(row);
      const bucket = table.buckets.get(key);
      if (bucket === undefined) {
        table.buckets.set(key, [row]);
        mem.add(48);
      } else {
        bucket.push(row);
      }
      table.ntuples++;
    }
    if (this.instrument !== null) {
      let nbuckets = 1024;
      while (nbuckets < table.buckets.size) nbuckets *= 2;
      this.instrument.extra.set('Buckets', nbuckets);
      this.instrument.extra.set('Batches', 1);
      this.instrument.extra.set('Memory Usage', `${mem.kB}kB`);
      this.instrument.ntuples += table.ntuples;
      this.instrument.nloops++;
      const dt = performance.now() - t0;
      this.instrument.totalMs += dt;
      this.instrument.startupMs += dt;
    }
    return table;
  }

  next(): TupleTableSlot | null {
    return elog('Hash node does not return rows (HashJoin calls build())');
  }

  rescan(): void {
    if (this.built) this.child.rescan();
    this.built = false;
  }

  end(): void {
    this.child.end();
  }

  children(): PlanState[] {
    return [this.child];
  }
}
