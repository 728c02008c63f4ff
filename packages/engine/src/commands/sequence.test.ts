import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PGlite } from '@electric-sql/pglite';
import { CrashSimDirectory } from '@tabgres/opfs-storage';
import { StorageEngine } from '../engine.ts';
import { parse } from '../parser/gram.ts';
import type { AlterSeqStmt, CreateSeqStmt } from '../parser/nodes.ts';
import { isPgError } from '../utils/errors.ts';
import { startPostgres } from '../utils/adt/pgdiff.testutil.ts';
import { AlterSequence, DefineSequence, SequenceSession } from './sequence.ts';
import { Backend, FakeCatalog, fakeUtilityContext } from './ddl.testutil.ts';
import { SEQ_LOG_VALS } from './sequence_xlog.ts';

function setup(dir?: CrashSimDirectory): { engine: StorageEngine; cat: FakeCatalog; notices: string[]; run: (sql: string) => number; seq: SequenceSession } {
  const engine = StorageEngine.open({ dir, sharedBuffers: 64, walSegmentSize: 1024 * 1024 });
  const cat = new FakeCatalog(engine);
  const notices: string[] = [];
  const ctx = fakeUtilityContext(engine, cat, notices);
  const run = (sql: string): number => {
    const stmt = parse(sql)[0].stmt;
    if (stmt.type === 'CreateSeqStmt') return DefineSequence(stmt as CreateSeqStmt, ctx);
    if (stmt.type === 'AlterSeqStmt') return AlterSequence(stmt as AlterSeqStmt, ctx);
    throw new Error(`not a sequence statement: ${sql}`);
  };
  return { engine, cat, notices, run, seq: new SequenceSession(engine, cat) };
}

function errOf(fn: () => unknown): string {
  try {
    fn();
    return 'OK';
  } catch (e) {
    if (isPgError(e)) return `ERR ${e.code} ${e.message}`;
    throw e;
  }
}

describe('sequences', () => {
  it('nextval, currval, lastval, setval', () => {
    const { run, seq } = setup();
    const s = run('CREATE SEQUENCE s');
    expect(errOf(() => seq.currval(s))).toBe('ERR 55000 currval of sequence "s" is not yet defined in this session');
    expect(errOf(() => seq.lastval())).toBe('ERR 55000 lastval is not yet defined in this session');
    expect([seq.nextval(s), seq.nextval(s), seq.nextval(s)]).toEqual([1n, 2n, 3n]);
    expect(seq.currval(s)).toBe(3n);
    expect(seq.lastval()).toBe(3n);
    seq.setval(s, 10n);
    expect(seq.currval(s)).toBe(10n);
    expect(seq.nextval(s)).toBe(11n);
    seq.setval(s, 5n, false);
    expect(seq.nextval(s)).toBe(5n);
    expect(seq.nextval(s)).toBe(6n);
    expect(errOf(() => seq.setval(s, 0n))).toBe('ERR 22003 setval: value 0 is out of bounds for sequence "s" (1..9223372036854775807)');
  });

  it('INCREMENT, MINVALUE/MAXVALUE, CYCLE, descending', () => {
    const { run, seq } = setup();
    const a = run('CREATE SEQUENCE a INCREMENT BY 5 START WITH 10 MAXVALUE 22 CYCLE');
    expect([seq.nextval(a), seq.nextval(a), seq.nextval(a), seq.nextval(a)]).toEqual([10n, 15n, 20n, 1n]);
    const d = run('CREATE SEQUENCE d INCREMENT -1 MINVALUE -2');
    expect([seq.nextval(d), seq.nextval(d)]).toEqual([-1n, -2n]);
    expect(errOf(() => seq.nextval(d))).toBe('ERR 2200H nextval: reached minimum value of sequence "d" (-2)');
  });

  it('reaches the maximum of an integer sequence with 2200H', () => {
    const { run, seq } = setup();
    const s = run('CREATE SEQUENCE s AS integer START 2147483646');
    expect(seq.nextval(s)).toBe(2147483646n);
    expect(seq.nextval(s)).toBe(2147483647n);
    expect(errOf(() => seq.nextval(s))).toBe('ERR 2200H nextval: reached maximum value of sequence "s" (2147483647)');
    const d = run('CREATE SEQUENCE d INCREMENT -1 MINVALUE -1 MAXVALUE 0');
    expect(seq.nextval(d)).toBe(0n);
    expect(seq.nextval(d)).toBe(-1n);
    expect(errOf(() => seq.nextval(d))).toBe('ERR 2200H nextval: reached minimum value of sequence "d" (-1)');
  });

  it('IF NOT EXISTS notices and duplicates', () => {
    const { run, notices } = setup();
    run('CREATE SEQUENCE s');
    expect(run('CREATE SEQUENCE IF NOT EXISTS s')).toBe(0);
    expect(notices).toEqual(['relation "s" already exists, skipping']);
    expect(errOf(() => run('CREATE SEQUENCE s'))).toBe('ERR 42P07 relation "s" already exists');
    expect(errOf(() => run('CREATE SEQUENCE c CACHE 10'))).toMatch(/^ERR 0A000/);
  });

  it('ALTER SEQUENCE RESTART and INCREMENT', () => {
    const { run, seq } = setup();
    const s = run('CREATE SEQUENCE s');
    seq.nextval(s);
    seq.nextval(s);
    run('ALTER SEQUENCE s RESTART WITH 100 INCREMENT BY 10');
    expect([seq.nextval(s), seq.nextval(s)]).toEqual([100n, 110n]);
    run('ALTER SEQUENCE s RESTART');
    expect(seq.nextval(s)).toBe(1n);
  });

  it('survives ROLLBACK (not transactional)', () => {
    const { engine, run, seq } = setup();
    const s = run('CREATE SEQUENCE s');
    engine.begin();
    expect(seq.nextval(s)).toBe(1n);
    expect(seq.nextval(s)).toBe(2n);
    engine.rollback();
    expect(seq.nextval(s)).toBe(3n);
  });

  it('never repeats a value after a crash: recovery replays the Sequence records', () => {
    const dir = new CrashSimDirectory();
    const first = setup(dir);
    const s = first.run('CREATE SEQUENCE s');
    for (let i = 1; i <= 5; i++) expect(first.seq.nextval(s)).toBe(BigInt(i));
    first.engine.begin();
    expect(first.seq.nextval(s)).toBe(6n);
    first.engine.rollback();
    first.engine.abandon();
    dir.crash({ seed: 7, mode: 'drop' });
    const engine = StorageEngine.open({ dir, sharedBuffers: 64 });
    expect(engine.startup.recoveryPerformed).toBe(true);
    first.cat.reattach(engine);
    const seq = new SequenceSession(engine, first.cat);
    // The first nextval logged 1 + SEQ_LOG_VALS; after the crash the sequence continues past it.
    expect(seq.nextval(s)).toBe(BigInt(1 + SEQ_LOG_VALS + 1));
    engine.close();
  });

  it('logs again after a checkpoint (its redo point is past the last record)', () => {
    const dir = new CrashSimDirectory();
    const first = setup(dir);
    const s = first.run('CREATE SEQUENCE s');
    expect(first.seq.nextval(s)).toBe(1n);
    first.engine.checkpoint();
    expect(first.seq.nextval(s)).toBe(2n);
    first.engine.abandon();
    dir.crash({ seed: 3, mode: 'drop' });
    const engine = StorageEngine.open({ dir, sharedBuffers: 64 });
    first.cat.reattach(engine);
    const seq = new SequenceSession(engine, first.cat);
    expect(seq.nextval(s)).toBe(BigInt(2 + SEQ_LOG_VALS + 1));
    engine.close();
  });
});

describe('sequence option errors match PostgreSQL', () => {
  let pg: PGlite;
  beforeAll(async () => {
    pg = await startPostgres();
  }, 60_000);
  afterAll(async () => {
    await pg.close();
  });

  const cases = [
    'CREATE SEQUENCE e1 INCREMENT 0',
    'CREATE SEQUENCE e2 MINVALUE 10 MAXVALUE 5',
    'CREATE SEQUENCE e3 START 0',
    'CREATE SEQUENCE e4 START 100 MAXVALUE 50',
    'CREATE SEQUENCE e5 AS smallint MAXVALUE 100000',
    'CREATE SEQUENCE e6 AS text',
    'CREATE SEQUENCE e7 CACHE 0',
    'CREATE SEQUENCE e8 INCREMENT 1 INCREMENT 2',
    'CREATE SEQUENCE e9 AS smallint MINVALUE -40000',
  ];
  for (const sql of cases) {
    it(sql, async () => {
      let theirs = 'OK';
      try {
        await pg.exec(sql);
      } catch (e) {
        const x = e as { code: string; message: string };
        theirs = `ERR ${x.code} ${x.message}`;
      }
      const { run } = setup();
      expect(errOf(() => run(sql))).toBe(theirs);
    });
  }

  it('values through a cycle and descending agree', async () => {
    await pg.exec('CREATE SEQUENCE c1 INCREMENT BY 5 START WITH 10 MAXVALUE 22 CYCLE; CREATE SEQUENCE c2 INCREMENT -3 MINVALUE -8 MAXVALUE 4 CYCLE');
    const theirs: string[] = [];
    for (let i = 0; i < 6; i++) {
      const r = await pg.query<{ a: string; b: string }>("SELECT nextval('c1')::text AS a, nextval('c2')::text AS b");
      theirs.push(`${r.rows[0].a},${r.rows[0].b}`);
    }
    const { run, seq } = setup();
    const c1 = run('CREATE SEQUENCE c1 INCREMENT BY 5 START WITH 10 MAXVALUE 22 CYCLE');
    const c2 = run('CREATE SEQUENCE c2 INCREMENT -3 MINVALUE -8 MAXVALUE 4 CYCLE');
    const ours: string[] = [];
    for (let i = 0; i < 6; i++) ours.push(`${seq.nextval(c1)},${seq.nextval(c2)}`);
    expect(ours).toEqual(theirs);
  });
});

describe('sequences over the real catalogs', () => {
  it('serial values survive ROLLBACK and a crash', () => {
    const dir = new CrashSimDirectory();
    const b = new Backend(dir);
    b.exec('CREATE TABLE t (id serial PRIMARY KEY, v text)');
    b.exec("INSERT INTO t (v) VALUES ('a'), ('b')");
    b.exec('BEGIN');
    expect(b.rows("INSERT INTO t (v) VALUES ('c') RETURNING id")).toEqual(['3']);
    b.exec('ROLLBACK');
    expect(b.rows("INSERT INTO t (v) VALUES ('d') RETURNING id")).toEqual(['4']);
    expect(b.rows("SELECT nextval('t_id_seq')")).toEqual(['5']);
    b.engine.abandon();
    dir.crash({ seed: 11, mode: 'drop' });
    const c = new Backend(dir);
    expect(c.engine.startup.recoveryPerformed).toBe(true);
    expect(c.rows('SELECT id, v FROM t ORDER BY id')).toEqual(['1|a', '2|b', '4|d']);
    // Logged 32 ahead at the first nextval: the values handed out before the crash are never repeated.
    expect(c.rows("INSERT INTO t (v) VALUES ('e') RETURNING id")).toEqual([String(1 + SEQ_LOG_VALS + 1)]);
    expect(c.rows("SELECT last_value, is_called FROM t_id_seq")).toEqual([`${1 + SEQ_LOG_VALS + 1}|true`]);
    c.close();
  });

  it('a clean restart keeps the sequence where it was', () => {
    const dir = new CrashSimDirectory();
    const b = new Backend(dir);
    b.exec('CREATE SEQUENCE s INCREMENT 3');
    expect(b.rows("SELECT nextval('s'), nextval('s')")).toEqual(['1|4']);
    b.close();
    const c = new Backend(dir);
    expect(c.rows("SELECT nextval('s')")).toEqual(['7']);
    c.close();
  });
});

describe('sequence crash safety under random crashes', () => {
  for (const seed of [1, 2, 3, 4]) {
    it(`never repeats a value (seed ${seed})`, () => {
      const dir = new CrashSimDirectory();
      const first = setup(dir);
      const s = first.run('CREATE SEQUENCE s INCREMENT 3');
      let maxSeen = 0n;
      let x = seed;
      for (let i = 0; i < 150; i++) {
        x = (x * 1103515245 + 12345) & 0x7fffffff;
        if (x % 37 === 0) first.engine.checkpoint();
        if (x % 11 === 0) {
          first.engine.begin();
          maxSeen = first.seq.nextval(s);
          first.engine.rollback();
        } else maxSeen = first.seq.nextval(s);
      }
      first.engine.abandon();
      dir.crash({ seed });
      const engine = StorageEngine.open({ dir, sharedBuffers: 64 });
      first.cat.reattach(engine);
      const seq = new SequenceSession(engine, first.cat);
      const next = seq.nextval(s);
      expect(next > maxSeen).toBe(true);
      expect((next - 1n) % 3n).toBe(0n);
      engine.close();
    });
  }
});
