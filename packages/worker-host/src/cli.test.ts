/*
 * cli.test.ts — the tabgres CLI prints what psql prints. The expected
 * texts were taken from psql 15 connected to PostgreSQL 18 (PGlite).
 */

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Database } from '@tabgres/engine';
import { Session } from './cli.ts';
import { StatementSplitter } from './splitter.ts';

let db: Database;
let out: string;
let err: string;
let session: Session;

beforeEach(() => {
  db = Database.openSync();
  out = '';
  err = '';
  session = new Session(db, (s) => (out += s), (s) => (err += s));
});

afterEach(() => {
  db.closeSync();
});

describe('psql output', () => {
  it('aligns tables, centers headers, right-aligns numbers', () => {
    session.runSql("select 1 as a, 'x' as bb");
    expect(out).toBe(' a | bb \n---+----\n 1 | x\n(1 row)\n\n');
  });

  it('prints every result of a multi-statement string', () => {
    session.runSql('select 1; select 2 as x');
    expect(out).toBe(' ?column? \n----------\n        1\n(1 row)\n\n x \n---\n 2\n(1 row)\n\n');
  });

  it('marks continued lines with + and shows NULL as empty', () => {
    session.runSql("select E'a\\nb' as x, 2 as y, 'c' as zzzz");
    expect(out).toBe(' x | y | zzzz \n---+---+------\n a+| 2 | c\n b |   | \n(1 row)\n\n');
    out = '';
    session.runSql('select null::int as n, \'xx\'::text as t');
    expect(out).toBe(' n | t  \n---+----\n   | xx\n(1 row)\n\n');
  });

  it('prints (0 rows), command tags, RETURNING tables with their tag, notices', () => {
    session.runSql('create table p (id int primary key)');
    session.runSql('select 1 from p where false');
    session.runSql('insert into p values (1) returning *');
    session.runSql('drop table if exists zz');
    expect(out).toBe('CREATE TABLE\n ?column? \n----------\n(0 rows)\n\n id \n----\n  1\n(1 row)\n\nINSERT 0 1\nDROP TABLE\n');
    expect(err).toBe('NOTICE:  table "zz" does not exist, skipping\n');
  });

  it('shows errors with LINE and a caret under the position', () => {
    session.runSql('create table t (a int)');
    session.runSql('select 1,\n  nosuch from t');
    expect(err).toBe('ERROR:  column "nosuch" does not exist\nLINE 2:   nosuch from t\n          ^\n');
    err = '';
    session.runSql('select 1/0');
    expect(err).toBe('ERROR:  division by zero\n');
  });

  it('prefixes errors in a script with the file and line', () => {
    session.runScript('select 1 as a;\nselec 2;\n', '/tmp/f.sql');
    expect(out).toBe(' a \n---\n 1\n(1 row)\n\n');
    expect(err).toBe('tabgres:/tmp/f.sql:2: ERROR:  syntax error at or near "selec"\nLINE 1: selec 2;\n        ^\n');
  });

  it('toggles \\timing and quits on \\q', () => {
    expect(session.meta('\\timing')).toBe(true);
    expect(out).toBe('Timing is on.\n');
    out = '';
    session.runSql('select 1');
    expect(out).toMatch(/\(1 row\)\n\nTime: \d+\.\d{3} ms\n$/);
    expect(session.meta('\\q')).toBe(false);
  });
});

describe('\\d', () => {
  beforeEach(() => {
    session.runSql('CREATE TABLE p (id int PRIMARY KEY); CREATE TABLE t (id serial PRIMARY KEY, name varchar(10) NOT NULL UNIQUE, ' +
      'n numeric(5,2) DEFAULT 1.5, pid int REFERENCES p(id) ON DELETE CASCADE, note text); CREATE INDEX t_n ON t (n DESC); ' +
      'CREATE VIEW v AS SELECT id FROM t; CREATE SEQUENCE s1');
    out = '';
  });

  it('lists relations', () => {
    session.meta('\\d');
    expect(out).toBe([
      '            List of relations',
      ' Schema |   Name   |   Type   |  Owner   ',
      '--------+----------+----------+----------',
      ' public | p        | table    | postgres',
      ' public | s1       | sequence | postgres',
      ' public | t        | table    | postgres',
      ' public | t_id_seq | sequence | postgres',
      ' public | v        | view     | postgres',
      '(5 rows)',
      '',
      '',
    ].join('\n'));
    out = '';
    session.meta('\\di');
    expect(out).toBe([
      '               List of relations',
      ' Schema |    Name    | Type  |  Owner   | Table ',
      '--------+------------+-------+----------+-------',
      ' public | p_pkey     | index | postgres | p',
      ' public | t_n        | index | postgres | t',
      ' public | t_name_key | index | postgres | t',
      ' public | t_pkey     | index | postgres | t',
      '(4 rows)',
      '',
      '',
    ].join('\n'));
  });

  it('describes a table, an index, a view and a sequence', () => {
    session.meta('\\d t');
    expect(out).toBe([
      '                                   Table "public.t"',
      ' Column |         Type          | Collation | Nullable |            Default            ',
      '--------+-----------------------+-----------+----------+-------------------------------',
      " id     | integer               |           | not null | nextval('t_id_seq'::regclass)",
      ' name   | character varying(10) |           | not null | ',
      ' n      | numeric(5,2)          |           |          | 1.5',
      ' pid    | integer               |           |          | ',
      ' note   | text                  |           |          | ',
      'Indexes:',
      '    "t_pkey" PRIMARY KEY, btree (id)',
      '    "t_n" btree (n DESC)',
      '    "t_name_key" UNIQUE CONSTRAINT, btree (name)',
      'Foreign-key constraints:',
      '    "t_pid_fkey" FOREIGN KEY (pid) REFERENCES p(id) ON DELETE CASCADE',
      '',
      '',
    ].join('\n'));
    out = '';
    session.meta('\\d p');
    expect(out).toContain('Referenced by:\n    TABLE "t" CONSTRAINT "t_pid_fkey" FOREIGN KEY (pid) REFERENCES p(id) ON DELETE CASCADE\n');
    out = '';
    session.meta('\\d t_pkey');
    expect(out).toBe([
      '        Index "public.t_pkey"',
      ' Column |  Type   | Key? | Definition ',
      '--------+---------+------+------------',
      ' id     | integer | yes  | id',
      'primary key, btree, for table "public.t"',
      '',
      '',
    ].join('\n'));
    out = '';
    session.meta('\\d s1');
    expect(out).toBe([
      '                             Sequence "public.s1"',
      '  Type  | Start | Minimum |       Maximum       | Increment | Cycles? | Cache ',
      '--------+-------+---------+---------------------+-----------+---------+-------',
      ' bigint |     1 |       1 | 9223372036854775807 |         1 | no      |     1',
      '',
      '',
    ].join('\n'));
  });
});

describe('statement splitter', () => {
  it('ends statements at semicolons outside quotes, comments and dollar quotes', () => {
    const s = new StatementSplitter();
    expect(s.feed("select ';' as a; select 2").statements).toEqual(["select ';' as a;"]);
    expect(s.pending).toBe(true);
    expect(s.feed('; -- done;').statements).toEqual(['select 2\n;']);
    expect(s.feed('select $$a;b$$, /* ; */ 1;').statements).toEqual(['select $$a;b$$, /* ; */ 1;']);
    expect(s.feed("select 'multi").statements).toEqual([]);
    expect(s.inQuote).toBe("'");
    expect(s.feed("line';").statements).toEqual(["select 'multi\nline';"]);
    expect(s.feed('\\d t')).toEqual({ statements: [], meta: '\\d t' });
  });
});
