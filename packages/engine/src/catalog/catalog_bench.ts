/*
 * catalog_bench.ts — what a point query's catalog lookups cost.
 *
 * Run: npx tsx packages/engine/src/catalog/catalog_bench.ts
 *
 * The SQL issue's goal of 40,000 primary-key lookups per second leaves
 * 25 µs for a whole query; a cached relnameGetRelid + getRelation should
 * cost well under a microsecond. Also printed: bootstrap (initdb) time, and
 * the cost of a cache miss (a relcache rebuild after an invalidation).
 */

import { MemoryDirectory } from '@tabgres/opfs-storage';
import { StorageEngine } from '../engine.ts';
import { INT4OID, TEXTOID } from '../utils/adt/types.ts';
import { Catalog } from './catalog.ts';
import { PG_PUBLIC_NAMESPACE } from './schemapg.ts';

function bench(label: string, n: number, f: () => unknown): void {
  for (let i = 0; i < Math.min(n, 20_000); i++) f(); // warm up the JIT
  const t0 = performance.now();
  for (let i = 0; i < n; i++) f();
  const us = ((performance.now() - t0) * 1000) / n;
  console.log(`${us.toFixed(3).padStart(9)} µs  ${label}`);
}

let t0 = performance.now();
const engine = StorageEngine.open({ dir: new MemoryDirectory() });
console.log(`${(performance.now() - t0).toFixed(1).padStart(9)} ms  StorageEngine.open (empty directory)`);
t0 = performance.now();
const cat = Catalog.bootstrap(engine);
console.log(`${(performance.now() - t0).toFixed(1).padStart(9)} ms  Catalog.bootstrap (first, cold JIT)`);

const oids: number[] = [];
for (let i = 0; i < 20; i++) {
  const oid = cat.heapCreateWithCatalog({
    relname: `t${i}`, relnamespace: PG_PUBLIC_NAMESPACE, relkind: 'r',
    columns: [{ attname: 'id', atttypid: INT4OID, atttypmod: -1, attnotnull: true }, { attname: 'v', atttypid: TEXTOID, atttypmod: -1, attnotnull: false }],
  });
  cat.indexCreate({ indexName: `t${i}_pkey`, relnamespace: PG_PUBLIC_NAMESPACE, heapOid: oid, keys: [{ attnum: 1, desc: false, nullsFirst: false }], unique: true, primary: true, constraintName: `t${i}_pkey` });
  oids.push(oid);
}

let sink = 0;
bench('relnameGetRelid(null, "t7") cached (search_path: pg_catalog, public)', 1_000_000, () => {
  sink += cat.relnameGetRelid(null, 't7', false) as number;
});
bench('relnameGetRelid("public", "t7") cached', 1_000_000, () => {
  sink += cat.relnameGetRelid('public', 't7', false) as number;
});
bench('getRelation(oid) cached', 1_000_000, () => {
  sink += cat.getRelation(oids[7]).attrs.length;
});
bench('lookup + getRelation + first index (a point query\'s catalog work)', 1_000_000, () => {
  const rel = cat.getRelation(cat.relnameGetRelid(null, 't7', false) as number);
  sink += rel.indexes[0].indexrelid;
});
bench('getRelation after a relcache invalidation (rebuild from the catalogs)', 200, () => {
  cat.relcache.invalidate(oids[7]);
  sink += cat.getRelation(oids[7]).attrs.length;
});
engine.startStatement();
bench('  the same inside a running statement (as tcop runs DDL and queries)', 200, () => {
  cat.relcache.invalidate(oids[7]);
  sink += cat.getRelation(oids[7]).attrs.length;
});
engine.endStatement();
bench('relnameGetRelid after a RELNAMENSP invalidation (pg_class reload)', 200, () => {
  cat.syscache.invalidate('RELNAMENSP');
  sink += cat.relnameGetRelid(null, 't7', false) as number;
});
engine.close();
if (sink === 0) console.log('(sink)');
