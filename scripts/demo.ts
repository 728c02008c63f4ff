/*
 * demo.ts — `npm start`: the storage engine at work, until the SQL layer and
 * the CLI arrive. Usage: npm start [-- DATADIR]
 *
 * It opens (or initializes) a data directory on disk, runs transactions
 * that commit and roll back, shows MVCC (a savepoint rolled back, a row
 * updated), vacuums, simulates a crash and recovers, and prints what it sees
 * at each step.
 */

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NodeDirectory } from '@tabgres/opfs-storage';
import { StorageEngine, typeByName, type TypeInfo } from '@tabgres/engine';

const type = (name: string): TypeInfo => {
  const t = typeByName(name);
  if (t === undefined) throw new Error(`unknown type ${name}`);
  return t;
};

const dataDir = process.argv[2] ?? mkdtempSync(join(tmpdir(), 'tabgres-demo-'));
const columns = [
  { name: 'id', type: type('int4'), notNull: true },
  { name: 'city', type: type('text') },
];
const log = (m: string): void => console.log(`  LOG:  ${m}`);

console.log(`tabgres storage engine demo, data directory ${dataDir}\n`);
let db = StorageEngine.open({ dir: new NodeDirectory(dataDir), log });
const rel = db.createRelation('cities', columns);
console.log(`created relation "cities" (file base/5/${rel.locator.relNumber})`);

db.begin();
const cities = ['Lisbon', 'Oslo', 'Quito', 'Hanoi', 'Accra', 'Perth', 'Lima', 'Riga'];
const tids = cities.map((c, i) => db.insert(rel, [i + 1, c]));
db.savepoint('before_typo');
db.insert(rel, [99, 'Atlantis']);
db.rollbackToSavepoint('before_typo');
db.update(rel, tids[1], [2, 'Bergen']);
db.commit();
console.log(`committed 8 rows (a savepoint rolled back one, an update replaced Oslo): ${db.count(rel)} visible`);

db.begin();
for (let i = 0; i < 1000; i++) db.insert(rel, [1000 + i, 'never']);
db.rollback();
console.log(`rolled back 1000 inserts: still ${db.count(rel)} visible`);

const vac = db.vacuum(rel);
console.log(`VACUUM: removed ${vac.tuplesRemoved} dead tuples, ${vac.pagesAllVisible} page(s) all-visible, relation now ${vac.relPages} page(s)`);

db.begin();
db.insert(rel, [9, 'Tunis']);
db.commit();
db.begin();
db.insert(rel, [10, 'in flight when the crash hits']);
console.log('\nsimulating a crash (no shutdown checkpoint, one transaction still open)...');
db.abandon();

db = StorageEngine.open({ dir: new NodeDirectory(dataDir), log });
const again = db.openRelation({ oid: rel.oid, name: 'cities', columns });
console.log(`\nafter recovery (${db.startup.recordsReplayed} WAL records replayed):`);
for (const row of db.scan(again)) console.log(`  ${String(row.values[0]).padStart(3)}  ${String(row.values[1])}`);
const s = db.stats();
console.log(`\nbuffers: ${s.buffers.hits} hits, ${s.buffers.reads} reads, ${s.buffers.writes} writes`);
db.close();
console.log('shut down cleanly (shutdown checkpoint written).');
