/*
 * Catalog tests: bootstrap and reopen, CREATE/DROP with invalidation and
 * rollback, column changes, a crash after a committed CREATE TABLE.
 */

import { describe, expect, it } from 'vitest';
import { MemoryDirectory, CrashSimDirectory } from '@tabgres/opfs-storage';
import { StorageEngine } from '../engine.ts';
import { Catalog } from './catalog.ts';
import { INT4OID, TEXTOID } from '../utils/adt/types.ts';
import { PG_PUBLIC_NAMESPACE, RelationRelationId, Anum_pg_attribute, Anum_pg_class, AttributeRelationId, ConstraintRelationId } from './schemapg.ts';
import type { ColumnSpec } from './heap.ts';
import { parseSearchPath } from './namespace.ts';

const col = (attname: string, atttypid: number, attnotnull = false): ColumnSpec => ({ attname, atttypid, atttypmod: -1, attnotnull });

function relnames(cat: Catalog): string[] {
  const names: string[] = [];
  cat.heaps.scan(RelationRelationId, (v) => names.push(v[Anum_pg_class.relname] as string));
  return names;
}

describe('bootstrap', () => {
  it('creates the catalogs with PostgreSQL OIDs and lists them in pg_class', () => {
    const engine = StorageEngine.open({ dir: new MemoryDirectory() });
    const cat = Catalog.bootstrap(engine);
    const names = relnames(cat);
    for (const n of ['pg_class', 'pg_attribute', 'pg_type', 'pg_proc', 'pg_namespace', 'pg_depend', 'pg_constraint', 'pg_index']) expect(names).toContain(n);
    expect(cat.relnameGetRelid(null, 'pg_class', false)).toBe(1259);
    expect(cat.relnameGetRelid('pg_catalog', 'pg_attribute', false)).toBe(1249);
    expect(cat.namespaceOid('public')).toBe(2200);
    expect(cat.namespaceOid('pg_catalog')).toBe(11);
    const pgClass = cat.getRelation(1259);
    expect(pgClass.attrs.map((a) => a.attname).slice(0, 3)).toEqual(['oid', 'relname', 'relnamespace']);
    engine.close();
  });

  it('describes the catalog indexes in pg_class / pg_attribute / pg_index and sets relhasindex, with no row updated', () => {
    const engine = StorageEngine.open({ dir: new MemoryDirectory() });
    let updates = 0;
    const update = engine.update.bind(engine);
    engine.update = (...args: Parameters<StorageEngine['update']>) => {
      updates++;
      return update(...args);
    };
    const cat = Catalog.bootstrap(engine);
    expect(updates).toBe(0);
    expect(cat.getRelation(1259).indexes.map((i) => [i.name, i.indkey, i.indisunique])).toEqual([
      ['pg_class_oid_index', [1], true],
      ['pg_class_relname_nsp_index', [2, 3], true],
    ]);
    const ix = cat.getRelation(2662);
    expect([ix.relkind, ix.attrs.map((a) => a.attname)]).toEqual(['i', ['oid']]);
    expect(cat.getRelation(1249).indexes.map((i) => i.name)).toEqual(['pg_attribute_relid_attnum_index']);
    expect(cat.getRelation(1247).indexes).toEqual([]);
    engine.close();
  });
});

describe('catalog scans', () => {
  it('scanLeading deforms only the leading columns (the RELNAMENSP reload), leaving the rest null', () => {
    const engine = StorageEngine.open({ dir: new MemoryDirectory() });
    const cat = Catalog.bootstrap(engine);
    const full = new Map<number, unknown[]>();
    cat.heaps.scan(RelationRelationId, (v) => full.set(v[Anum_pg_class.oid] as number, v.slice()));
    let rows = 0;
    cat.heaps.scanLeading(RelationRelationId, 3, (v) => {
      rows++;
      const whole = full.get(v[Anum_pg_class.oid] as number) as unknown[];
      expect(v.slice(0, 3)).toEqual(whole.slice(0, 3));
      expect(v.slice(3).every((x) => x === null)).toBe(true);
    });
    expect(rows).toBe(full.size);
    engine.close();
  });

  it('DROP TABLE removes exactly its pg_class and pg_attribute rows (found through the catalog indexes)', () => {
    const { engine, cat } = fresh();
    const a = cat.heapCreateWithCatalog({ relname: 'a', relnamespace: PG_PUBLIC_NAMESPACE, relkind: 'r', columns: [col('x', INT4OID), col('y', TEXTOID)] });
    const b = cat.heapCreateWithCatalog({ relname: 'b', relnamespace: PG_PUBLIC_NAMESPACE, relkind: 'r', columns: [col('x', INT4OID)] });
    const attCount = (relid: number): number => {
      let n = 0;
      cat.heaps.scan(AttributeRelationId, (v) => {
        if (v[Anum_pg_attribute.attrelid] === relid) n++;
      });
      return n;
    };
    expect([attCount(a), attCount(b)]).toEqual([8, 7]);
    cat.performDeletion([{ classId: RelationRelationId, objectId: a, objectSubId: 0 }], 'DROP_RESTRICT', () => {});
    expect([attCount(a), attCount(b)]).toEqual([0, 7]);
    expect(relnames(cat)).not.toContain('a');
    expect(relnames(cat)).toContain('b');
    expect(cat.relnameGetRelid(null, 'b', false)).toBe(b);
    engine.close();
  });
});

describe('create, drop, rollback', () => {
  it('creates a table visible after commit and after a restart', () => {
    const dir = new MemoryDirectory();
    let engine = StorageEngine.open({ dir });
    let cat = Catalog.bootstrap(engine);
    engine.begin();
    const oid = cat.heapCreateWithCatalog({ relname: 't', relnamespace: PG_PUBLIC_NAMESPACE, relkind: 'r', columns: [col('a', INT4OID, true), col('b', TEXTOID)] });
    engine.insert(cat.heapOf(oid), [1, 'one']);
    engine.commit();
    expect(cat.relnameGetRelid(null, 't', false)).toBe(oid);
    engine.close();

    engine = StorageEngine.open({ dir });
    cat = Catalog.open(engine);
    expect(cat.relnameGetRelid(null, 't', false)).toBe(oid);
    const rel = cat.getRelation(oid);
    expect(rel.attrs.map((a) => [a.attname, a.atttypid, a.attnotnull])).toEqual([['a', INT4OID, true], ['b', TEXTOID, false]]);
    expect(engine.scan(cat.heapOf(oid)).map((r) => r.values)).toEqual([[1, 'one']]);
    engine.close();
  });
});

function fresh(): { engine: StorageEngine; cat: Catalog } {
  const engine = StorageEngine.open({ dir: new MemoryDirectory() });
  return { engine, cat: Catalog.bootstrap(engine) };
}

describe('invalidation', () => {
  it('a rolled-back CREATE TABLE vanishes and a rolled-back DROP comes back', () => {
    const { engine, cat } = fresh();
    engine.begin();
    const oid = cat.heapCreateWithCatalog({ relname: 't', relnamespace: PG_PUBLIC_NAMESPACE, relkind: 'r', columns: [col('a', INT4OID)] });
    expect(cat.relnameGetRelid(null, 't', false)).toBe(oid);
    expect(cat.getRelation(oid).relname).toBe('t');
    engine.rollback();
    expect(cat.relnameGetRelid(null, 't', true)).toBeNull();
    expect(() => cat.relnameGetRelid(null, 't', false)).toThrow('relation "t" does not exist');

    engine.begin();
    const t2 = cat.heapCreateWithCatalog({ relname: 't', relnamespace: PG_PUBLIC_NAMESPACE, relkind: 'r', columns: [col('a', INT4OID)] });
    engine.insert(cat.heapOf(t2), [7]);
    engine.commit();
    engine.begin();
    cat.performDeletion([{ classId: RelationRelationId, objectId: t2, objectSubId: 0 }], 'DROP_RESTRICT', () => {});
    expect(cat.relnameGetRelid(null, 't', true)).toBeNull();
    engine.rollback();
    expect(cat.relnameGetRelid(null, 't', false)).toBe(t2);
    expect(engine.scan(cat.heapOf(t2)).map((r) => r.values)).toEqual([[7]]);
    engine.close();
  });

  it('drop and create the same name in one transaction, then rename it away and reuse it', () => {
    const { engine, cat } = fresh();
    const first = cat.heapCreateWithCatalog({ relname: 'd', relnamespace: PG_PUBLIC_NAMESPACE, relkind: 'r', columns: [col('a', INT4OID)] });
    engine.begin();
    cat.performDeletion([{ classId: RelationRelationId, objectId: first, objectSubId: 0 }], 'DROP_RESTRICT', () => {});
    const second = cat.heapCreateWithCatalog({ relname: 'd', relnamespace: PG_PUBLIC_NAMESPACE, relkind: 'r', columns: [col('b', TEXTOID)] });
    cat.renameRelation(second, 'd2');
    const third = cat.heapCreateWithCatalog({ relname: 'd', relnamespace: PG_PUBLIC_NAMESPACE, relkind: 'r', columns: [col('c', INT4OID)] });
    engine.commit();
    expect(cat.relnameGetRelid(null, 'd', false)).toBe(third);
    expect(cat.relnameGetRelid(null, 'd2', false)).toBe(second);
    expect(cat.getRelation(third).attrs.map((a) => a.attname)).toEqual(['c']);
    engine.close();
  });

  it('a commit hands the transaction\'s messages to the broadcast hook (the future sinval queue)', () => {
    const { engine, cat } = fresh();
    const sent: unknown[][] = [];
    cat.inval.broadcast = (msgs) => sent.push([...msgs]);
    engine.begin();
    const oid = cat.heapCreateWithCatalog({ relname: 'b', relnamespace: PG_PUBLIC_NAMESPACE, relkind: 'r', columns: [col('x', INT4OID)] });
    cat.renameColumn(oid, 'x', 'y');
    engine.commit();
    expect(sent).toHaveLength(1);
    expect(sent[0]).toEqual(expect.arrayContaining([{ kind: 'relcache', relId: oid }, { kind: 'catcache', cacheId: 'RELNAMENSP' }]));
    engine.begin();
    cat.renameColumn(oid, 'y', 'z');
    engine.rollback();
    expect(sent).toHaveLength(1);
    expect(cat.getRelation(oid).attrs[0].attname).toBe('y');
    engine.close();
  });

  it('a savepoint rolled back undoes only its own DDL', () => {
    const { engine, cat } = fresh();
    engine.begin();
    const a = cat.heapCreateWithCatalog({ relname: 'a', relnamespace: PG_PUBLIC_NAMESPACE, relkind: 'r', columns: [col('x', INT4OID)] });
    engine.savepoint('s1');
    cat.heapCreateWithCatalog({ relname: 'b', relnamespace: PG_PUBLIC_NAMESPACE, relkind: 'r', columns: [col('x', INT4OID)] });
    cat.renameRelation(a, 'a2');
    expect(cat.relnameGetRelid(null, 'a2', false)).toBe(a);
    engine.rollbackToSavepoint('s1');
    expect(cat.relnameGetRelid(null, 'b', true)).toBeNull();
    expect(cat.relnameGetRelid(null, 'a', false)).toBe(a);
    expect(cat.getRelation(a).relname).toBe('a');
    engine.commit();
    expect(cat.relnameGetRelid(null, 'a', false)).toBe(a);
    engine.close();
  });

  it('DDL in a released savepoint still vanishes when the transaction rolls back', () => {
    const { engine, cat } = fresh();
    engine.begin();
    engine.savepoint('s1');
    engine.savepoint('s2');
    const oid = cat.heapCreateWithCatalog({ relname: 'r', relnamespace: PG_PUBLIC_NAMESPACE, relkind: 'r', columns: [col('x', INT4OID)] });
    engine.releaseSavepoint('s2');
    engine.releaseSavepoint('s1');
    expect(cat.getRelation(oid).relname).toBe('r');
    engine.rollback();
    expect(cat.relnameGetRelid(null, 'r', true)).toBeNull();
    expect(cat.relcache.peek(oid)).toBeUndefined();
    expect(cat.inval.pendingCount()).toBe(0);
    engine.close();
  });

  it('DDL inside one engine statement sees its own earlier primitives', () => {
    const { engine, cat } = fresh();
    engine.startStatement();
    const oid = cat.heapCreateWithCatalog({ relname: 's', relnamespace: PG_PUBLIC_NAMESPACE, relkind: 'r', columns: [col('a', INT4OID, true), col('b', TEXTOID)] });
    cat.indexCreate({ indexName: 's_pkey', relnamespace: PG_PUBLIC_NAMESPACE, heapOid: oid, keys: [{ attnum: 1, desc: false, nullsFirst: false }], unique: true, primary: true, constraintName: 's_pkey' });
    const rel = cat.getRelation(oid);
    expect(rel.indexes.map((i) => [i.name, i.indkey, i.indisprimary])).toEqual([['s_pkey', [1], true]]);
    expect(rel.constraints.map((c) => [c.conname, c.contype, c.conkey])).toEqual([['s_pkey', 'p', [1]]]);
    engine.insert(rel.heap as never, [1, 'x']);
    engine.endStatement();
    expect(() => engine.insert(cat.heapOf(oid), [1, 'y'])).toThrow(/duplicate key value violates unique constraint "s_pkey"/);
    engine.close();
  });

  it('duplicate names and missing schemas give PostgreSQL errors', () => {
    const { engine, cat } = fresh();
    cat.heapCreateWithCatalog({ relname: 't', relnamespace: PG_PUBLIC_NAMESPACE, relkind: 'r', columns: [col('a', INT4OID)] });
    expect(() => cat.heapCreateWithCatalog({ relname: 't', relnamespace: PG_PUBLIC_NAMESPACE, relkind: 'r', columns: [col('a', INT4OID)] }))
      .toThrow(expect.objectContaining({ code: '42P07', message: 'relation "t" already exists' }));
    expect(cat.heapCreateWithCatalog({ relname: 't', relnamespace: PG_PUBLIC_NAMESPACE, relkind: 'r', columns: [], ifNotExists: true })).toBe(0);
    expect(() => cat.relnameGetRelid('nope', 't', false, 14)).toThrow(expect.objectContaining({ code: '3F000', message: 'schema "nope" does not exist', position: 15 }));
    expect(() => cat.relnameGetRelid(null, 'x', false, 0)).toThrow(expect.objectContaining({ code: '42P01', position: 1 }));
    cat.searchPathSetting = () => 'nope';
    expect(() => cat.creationNamespace()).toThrow(expect.objectContaining({ code: '3F000', message: 'no schema has been selected to create in' }));
    expect(cat.relnameGetRelid(null, 'pg_class', false)).toBe(1259);
    expect(cat.relnameGetRelid(null, 't', true)).toBeNull();
    cat.searchPathSetting = () => '"$user", public';
    const long = 'x'.repeat(70);
    const oid = cat.heapCreateWithCatalog({ relname: long, relnamespace: PG_PUBLIC_NAMESPACE, relkind: 'r', columns: [col('a', INT4OID)] });
    expect(cat.getRelation(oid).relname).toBe('x'.repeat(63));
    expect(cat.relnameGetRelid(null, long, false)).toBe(oid);
    engine.close();
  });

  it('search_path: schemas in order, "$user", pg_catalog first unless listed', () => {
    const { engine, cat } = fresh();
    const s = cat.createNamespace('s');
    const postgres = cat.createNamespace('postgres');
    const inS = cat.heapCreateWithCatalog({ relname: 't', relnamespace: s, relkind: 'r', columns: [col('a', INT4OID)] });
    const inPublic = cat.heapCreateWithCatalog({ relname: 't', relnamespace: PG_PUBLIC_NAMESPACE, relkind: 'r', columns: [col('a', INT4OID)] });
    expect(cat.searchPath()).toEqual([11, postgres, PG_PUBLIC_NAMESPACE]);
    expect(cat.creationNamespace()).toBe(postgres);
    expect(cat.relnameGetRelid(null, 't', false)).toBe(inPublic);
    cat.searchPathSetting = () => '"S", public';
    expect(cat.searchPath()).toEqual([11, PG_PUBLIC_NAMESPACE]);
    cat.searchPathSetting = () => 'S, public, pg_catalog';
    expect(cat.searchPath()).toEqual([s, PG_PUBLIC_NAMESPACE, 11]);
    expect(cat.relnameGetRelid(null, 't', false)).toBe(inS);
    expect(() => cat.createNamespace('s')).toThrow(expect.objectContaining({ code: '42P06', message: 'schema "s" already exists' }));
    engine.close();
  });
});

describe('search_path parsing', () => {
  it('folds unquoted names, keeps quoted ones with "" escapes, ignores blanks', () => {
    expect(parseSearchPath('"$user", public')).toEqual(['$user', 'public']);
    expect(parseSearchPath(' A ,"B c",  "x""y" ')).toEqual(['a', 'B c', 'x"y']);
    expect(parseSearchPath('')).toEqual([]);
  });
});

describe('columns', () => {
  it('rename, add and drop columns; rows keep their values', () => {
    const { engine, cat } = fresh();
    const oid = cat.heapCreateWithCatalog({ relname: 't', relnamespace: PG_PUBLIC_NAMESPACE, relkind: 'r', columns: [col('a', INT4OID), col('b', TEXTOID)] });
    engine.insert(cat.heapOf(oid), [1, 'one']);
    cat.renameColumn(oid, 'b', 'c');
    expect(() => cat.renameColumn(oid, 'a', 'c')).toThrow(expect.objectContaining({ code: '42701', message: 'column "c" of relation "t" already exists' }));
    expect(() => cat.renameColumn(oid, 'zz', 'y')).toThrow(expect.objectContaining({ code: '42703', message: 'column "zz" does not exist' }));
    expect(cat.addColumn(oid, col('d', INT4OID))).toBe(3);
    expect(() => cat.addColumn(oid, col('a', INT4OID))).toThrow(expect.objectContaining({ code: '42701', message: 'column "a" of relation "t" already exists' }));
    engine.insert(cat.heapOf(oid), [2, 'two', 22]);
    cat.dropColumn(oid, 1);
    const rel = cat.getRelation(oid);
    expect(rel.attrs.map((a) => [a.attname, a.attisdropped])).toEqual([['........pg.dropped.1........', true], ['c', false], ['d', false]]);
    engine.insert(cat.heapOf(oid), [null, 'three', 33]);
    expect(engine.scan(cat.heapOf(oid)).map((r) => r.values.slice(1))).toEqual([['one', null], ['two', 22], ['three', 33]]);
    cat.setNotNull(oid, 3, true);
    expect(cat.getRelation(oid).attrs[2].attnotnull).toBe(true);
    cat.renameRelation(oid, 'u');
    expect(cat.relnameGetRelid(null, 'u', false)).toBe(oid);
    expect(cat.relnameGetRelid(null, 't', true)).toBeNull();
    cat.updateRelStats(oid, 3, 42);
    expect(cat.getRelation(oid)).toMatchObject({ relpages: 3, reltuples: 42 });
    engine.close();
  });
});

describe('TOAST', () => {
  it('the first toastable column added to a table gives it a TOAST table', () => {
    const dir = new MemoryDirectory();
    let engine = StorageEngine.open({ dir });
    let cat = Catalog.bootstrap(engine);
    const oid = cat.heapCreateWithCatalog({ relname: 'n', relnamespace: PG_PUBLIC_NAMESPACE, relkind: 'r', columns: [col('a', INT4OID)] });
    engine.insert(cat.heapOf(oid), [1]);
    expect(cat.getRelation(oid).heap?.toast).toBeNull();
    cat.addColumn(oid, col('b', TEXTOID));
    expect(cat.getRelation(oid).heap?.toast).not.toBeNull();
    engine.insert(cat.heapOf(oid), [2, 'x'.repeat(100_000)]);
    engine.close();
    engine = StorageEngine.open({ dir });
    cat = Catalog.open(engine);
    expect(engine.scan(cat.heapOf(oid)).map((r) => [r.values[0], (r.values[1] as string | null)?.length ?? null])).toEqual([[1, null], [2, 100_000]]);
    expect(cat.relnameGetRelid('pg_toast', `pg_toast_${oid}`, false)).toBe(cat.getRelation(oid).heap?.toast?.oid);
    engine.close();
  });
});

describe('restart and crash', () => {
  it('everything is re-attached after a restart: indexes keep being maintained', () => {
    const dir = new MemoryDirectory();
    let engine = StorageEngine.open({ dir });
    let cat = Catalog.bootstrap(engine);
    const oid = cat.heapCreateWithCatalog({ relname: 't', relnamespace: PG_PUBLIC_NAMESPACE, relkind: 'r', columns: [col('a', INT4OID, true), col('b', TEXTOID)] });
    cat.indexCreate({ indexName: 't_pkey', relnamespace: PG_PUBLIC_NAMESPACE, heapOid: oid, keys: [{ attnum: 1, desc: false, nullsFirst: false }], unique: true, primary: true, constraintName: 't_pkey' });
    const bIdx = cat.indexCreate({ indexName: 't_a_idx', relnamespace: PG_PUBLIC_NAMESPACE, heapOid: oid, keys: [{ attnum: 1, desc: true, nullsFirst: false }], unique: false, primary: false });
    engine.insert(cat.heapOf(oid), [1, 'a'.repeat(5000)]);
    engine.close();

    engine = StorageEngine.open({ dir });
    cat = Catalog.open(engine);
    // Dropped before anything attached the table: the drop attaches it first, so the engine stops maintaining the index.
    cat.performDeletion([{ classId: RelationRelationId, objectId: bIdx, objectSubId: 0 }], 'DROP_RESTRICT', () => {});
    const rel = cat.getRelation(cat.relnameGetRelid(null, 't', false) as number);
    expect(rel.indexes.map((i) => i.name)).toEqual(['t_pkey']);
    expect(engine.indexesOf(rel.heap as never).map((i) => i.name)).toEqual(['t_pkey']);
    expect(() => engine.insert(rel.heap as never, [1, 'b'])).toThrow(/duplicate key/);
    expect(engine.scan(rel.heap as never).map((r) => (r.values[1] as string).length)).toEqual([5000]);
    engine.close();
  });

  it('a crash after a committed CREATE TABLE with rows: catalogs and table come back', () => {
    const dir = new CrashSimDirectory();
    const engine = StorageEngine.open({ dir });
    const cat = Catalog.bootstrap(engine);
    engine.begin();
    const oid = cat.heapCreateWithCatalog({ relname: 'c', relnamespace: PG_PUBLIC_NAMESPACE, relkind: 'r', columns: [col('a', INT4OID), col('b', TEXTOID)] });
    engine.insertMany(cat.heapOf(oid), [[1, 'x'], [2, 'y']]);
    engine.commit();
    engine.begin();
    cat.heapCreateWithCatalog({ relname: 'uncommitted', relnamespace: PG_PUBLIC_NAMESPACE, relkind: 'r', columns: [col('a', INT4OID)] });
    for (let seed = 1; seed <= 4; seed++) {
      const copy = CrashSimDirectory.fromSnapshot(dir.snapshot());
      copy.crash({ seed, mode: (['drop', 'prefix', 'tear', 'random'] as const)[seed & 3] });
      const e2 = StorageEngine.open({ dir: copy });
      const c2 = Catalog.open(e2);
      expect(c2.relnameGetRelid(null, 'c', false)).toBe(oid);
      expect(c2.relnameGetRelid(null, 'uncommitted', true)).toBeNull();
      expect(e2.scan(c2.heapOf(oid)).map((r) => r.values)).toEqual([[1, 'x'], [2, 'y']]);
      e2.close();
    }
    engine.close();
  });
});

describe('defaults', () => {
  const five = { type: 'Const', consttype: INT4OID, consttypmod: -1, constvalue: 5, constisnull: false, location: -1 } as const;
  const six = { ...five, constvalue: 6 };

  it('setDefault replaces a default inside one statement (no second update of the pg_attribute row)', () => {
    const { engine, cat } = fresh();
    engine.begin();
    const oid = cat.heapCreateWithCatalog({ relname: 't', relnamespace: PG_PUBLIC_NAMESPACE, relkind: 'r', columns: [col('a', INT4OID)] });
    cat.storeDefault(oid, 1, five, '5');
    engine.startStatement();
    cat.setDefault(oid, 1, six, '6');
    cat.setDefault(oid, 1, five, '5');
    engine.endStatement();
    expect(cat.getRelation(oid).defaults.get(1)).toEqual(five);
    expect(cat.getRelation(oid).attrs[0].atthasdef).toBe(true);
    cat.setDefault(oid, 1, null, '');
    expect(cat.getRelation(oid).defaults.size).toBe(0);
    expect(cat.getRelation(oid).attrs[0].atthasdef).toBe(false);
    cat.setDefault(oid, 1, six, '6');
    expect(cat.getRelation(oid).defaults.get(1)).toEqual(six);
    engine.commit();
    engine.close();
  });
});

describe('fkeysReferencing', () => {
  function setup(): { engine: StorageEngine; cat: Catalog; p: number; c: number; fk: () => number } {
    const { engine, cat } = fresh();
    engine.begin();
    const p = cat.heapCreateWithCatalog({ relname: 'p', relnamespace: PG_PUBLIC_NAMESPACE, relkind: 'r', columns: [col('id', INT4OID, true)] });
    const pkey = cat.indexCreate({ indexName: 'p_pkey', relnamespace: PG_PUBLIC_NAMESPACE, heapOid: p, keys: [{ attnum: 1, desc: false, nullsFirst: false }], unique: true, primary: true, constraintName: 'p_pkey' });
    const c = cat.heapCreateWithCatalog({ relname: 'c', relnamespace: PG_PUBLIC_NAMESPACE, relkind: 'r', columns: [col('pid', INT4OID)] });
    engine.commit();
    const fk = (): number => cat.addConstraint({ relid: c, contype: 'f', conkey: [1], confrelid: p, confkey: [1], conindid: pkey });
    return { engine, cat, p, c, fk };
  }

  it('lists the foreign keys pointing at a table, refreshed when one is added or dropped', () => {
    const { engine, cat, p, c, fk } = setup();
    expect(cat.getRelation(p).fkeysReferencing).toEqual([]);
    expect(cat.getRelation(c).constraints).toEqual([]);
    engine.begin();
    const con = fk();
    expect(cat.getRelation(p).fkeysReferencing?.map((x) => [x.oid, x.conrelid, x.confkey])).toEqual([[con, c, [1]]]);
    expect(cat.getRelation(c).constraints.map((x) => x.oid)).toEqual([con]);
    engine.rollback();
    expect(cat.getRelation(p).fkeysReferencing).toEqual([]);
    engine.begin();
    const con2 = fk();
    engine.commit();
    expect(cat.getRelation(p).fkeysReferencing?.map((x) => x.oid)).toEqual([con2]);
    engine.begin();
    cat.performDeletion([{ classId: ConstraintRelationId, objectId: con2, objectSubId: 0 }], 'DROP_RESTRICT', () => {});
    expect(cat.getRelation(p).fkeysReferencing).toEqual([]);
    expect(cat.getRelation(c).constraints).toEqual([]);
    engine.commit();
    engine.close();
  });

  it('DROP TABLE of the referencing table, and DROP ... CASCADE of the referenced one, refresh the other side', () => {
    const { engine, cat, p, c, fk } = setup();
    engine.begin();
    fk();
    engine.commit();
    expect(cat.getRelation(p).fkeysReferencing?.length).toBe(1);
    engine.begin();
    cat.performDeletion([{ classId: RelationRelationId, objectId: c, objectSubId: 0 }], 'DROP_RESTRICT', () => {});
    expect(cat.getRelation(p).fkeysReferencing).toEqual([]);
    engine.rollback();
    expect(cat.getRelation(p).fkeysReferencing?.length).toBe(1);

    engine.begin();
    const notices: string[] = [];
    cat.performDeletion([{ classId: RelationRelationId, objectId: p, objectSubId: 0 }], 'DROP_CASCADE', (n) => notices.push(n.message));
    expect(notices).toEqual(['drop cascades to constraint c_pid_fkey on table c']);
    expect(cat.getRelation(c).constraints).toEqual([]);
    engine.commit();
    expect(cat.getRelation(c).constraints).toEqual([]);
    engine.close();
  });
});
