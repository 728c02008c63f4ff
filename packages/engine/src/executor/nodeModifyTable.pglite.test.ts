/*
 * INSERT / UPDATE / DELETE through ExecInitModifyTable, compared statement
 * by statement with PostgreSQL (PGlite): rows, counts, RETURNING, and the
 * SQLSTATE, message and DETAIL of constraint violations.
 */
import { describe, it } from 'vitest';
import { compareScriptsWithPostgres } from '../commands/pgscript.testutil.ts';

const same = compareScriptsWithPostgres();

describe('ModifyTable vs PostgreSQL', () => {
  it('NOT NULL and CHECK violations with their DETAIL', async () => {
    await same([
      'CREATE TABLE t (a int PRIMARY KEY, b text NOT NULL, c int CHECK (c > 0), d int, CONSTRAINT d_small CHECK (d < 100), CHECK (c < d))',
      "INSERT INTO t VALUES (1, 'x', 1, 5)",
      'INSERT INTO t VALUES (2, NULL, 1, 5)',
      "INSERT INTO t VALUES (2, 'y', 0, 5)",
      "INSERT INTO t VALUES (2, 'y', 1, 500)",
      "INSERT INTO t VALUES (2, 'y', 10, 5)",
      "INSERT INTO t VALUES (2, 'y', NULL, NULL)",
      "INSERT INTO t VALUES (1, 'dup', 1, 5)",
      'UPDATE t SET b = NULL WHERE a = 1',
      'UPDATE t SET c = -5 WHERE a = 2',
      'UPDATE t SET d = 3 WHERE a = 1',
      'SELECT * FROM t ORDER BY a',
    ]);
  });

  it('long values are clipped in the failing row', async () => {
    await same([
      'CREATE TABLE t (a text, b int NOT NULL)',
      "INSERT INTO t VALUES (repeat('x', 100), NULL)",
    ]);
  });

  it('RETURNING over new and old rows, and row counts', async () => {
    await same([
      'CREATE TABLE t (id int PRIMARY KEY, v text, n int)',
      "INSERT INTO t VALUES (1, 'a', 10), (2, 'b', 20), (3, 'c', 30) RETURNING id, v || '!', n * 2",
      'UPDATE t SET n = n + 1 WHERE id >= 2 RETURNING *',
      'UPDATE t SET v = upper(v) RETURNING id, v',
      'DELETE FROM t WHERE n > 20 RETURNING v, n',
      'DELETE FROM t WHERE id = 99',
      'SELECT * FROM t ORDER BY id',
    ]);
  });

  it('ON CONFLICT DO NOTHING', async () => {
    await same([
      'CREATE TABLE t (id int PRIMARY KEY, v text, u int UNIQUE)',
      "INSERT INTO t VALUES (1, 'a', 10)",
      "INSERT INTO t VALUES (1, 'b', 11) ON CONFLICT DO NOTHING",
      "INSERT INTO t VALUES (2, 'b', 10) ON CONFLICT DO NOTHING",
      "INSERT INTO t VALUES (3, 'c', 30), (3, 'd', 31), (4, 'e', 30) ON CONFLICT DO NOTHING RETURNING id",
      "INSERT INTO t VALUES (1, 'x', 99) ON CONFLICT (id) DO NOTHING",
      "INSERT INTO t VALUES (5, 'x', 10) ON CONFLICT (id) DO NOTHING",
      "INSERT INTO t VALUES (6, 'n', NULL), (7, 'n', NULL) ON CONFLICT DO NOTHING",
      'SELECT * FROM t ORDER BY id',
    ]);
  });

  it('ON CONFLICT DO UPDATE with EXCLUDED, WHERE and the second-time error', async () => {
    await same([
      'CREATE TABLE t (id int PRIMARY KEY, v text, n int)',
      "INSERT INTO t VALUES (1, 'a', 0), (2, 'b', 0)",
      "INSERT INTO t VALUES (1, 'c', 5), (3, 'd', 5) ON CONFLICT (id) DO UPDATE SET v = EXCLUDED.v, n = t.n + EXCLUDED.n RETURNING *",
      "INSERT INTO t VALUES (2, 'z', 1) ON CONFLICT (id) DO UPDATE SET v = EXCLUDED.v WHERE t.n > 0 RETURNING *",
      "INSERT INTO t VALUES (1, 'z', 1) ON CONFLICT (id) DO UPDATE SET v = EXCLUDED.v WHERE t.n > 0 RETURNING *",
      "INSERT INTO t VALUES (4, 'x', 1), (4, 'y', 1) ON CONFLICT (id) DO UPDATE SET v = EXCLUDED.v",
      "INSERT INTO t VALUES (2, 'q', 1) ON CONFLICT (id) DO UPDATE SET n = NULL, v = NULL RETURNING id, v IS NULL",
      'SELECT * FROM t ORDER BY id',
    ]);
  });

  it('ON CONFLICT DO UPDATE checks the updated row', async () => {
    await same([
      'CREATE TABLE t (id int PRIMARY KEY, n int NOT NULL CHECK (n < 10))',
      'INSERT INTO t VALUES (1, 1)',
      'INSERT INTO t VALUES (1, 1) ON CONFLICT (id) DO UPDATE SET n = t.n + 20',
      'INSERT INTO t VALUES (1, 1) ON CONFLICT (id) DO UPDATE SET n = NULL',
      'SELECT * FROM t',
    ]);
  });

  it('GENERATED ALWAYS AS STORED is recomputed, identity ALWAYS refuses updates', async () => {
    await same([
      'CREATE TABLE g (a int, b int GENERATED ALWAYS AS (a * 2) STORED)',
      'INSERT INTO g (a) VALUES (3), (NULL) RETURNING a, b',
      'UPDATE g SET a = 10 WHERE a = 3 RETURNING b',
      'UPDATE g SET b = 1',
      'CREATE TABLE i (id int GENERATED ALWAYS AS IDENTITY, v text)',
      'UPDATE i SET id = 5',
      'SELECT * FROM g ORDER BY a',
    ]);
  });
});

describe('serial, identity and sequences vs PostgreSQL', () => {
  it('serial and identity columns fill themselves', async () => {
    await same([
      'CREATE TABLE s (id serial PRIMARY KEY, v text)',
      "INSERT INTO s (v) VALUES ('a'), ('b') RETURNING id",
      "INSERT INTO s VALUES (DEFAULT, 'c') RETURNING *",
      "INSERT INTO s VALUES (10, 'd')",
      "INSERT INTO s (v) VALUES ('e') RETURNING id",
      "SELECT currval('s_id_seq')",
      'CREATE TABLE i (id int GENERATED ALWAYS AS IDENTITY, v text)',
      "INSERT INTO i (v) VALUES ('a'), ('b') RETURNING id",
      "INSERT INTO i VALUES (5, 'x')",
      "INSERT INTO i OVERRIDING SYSTEM VALUE VALUES (5, 'x') RETURNING id",
      'UPDATE i SET id = DEFAULT WHERE id = 5 RETURNING id',
      'CREATE TABLE d (id bigint GENERATED BY DEFAULT AS IDENTITY (START WITH 100 INCREMENT BY 10), v text)',
      "INSERT INTO d (v) VALUES ('a'), ('b') RETURNING id",
      "INSERT INTO d VALUES (1, 'c') RETURNING id",
      'SELECT * FROM d ORDER BY id',
    ]);
  });

  it('nextval, currval, setval, lastval through SQL', async () => {
    await same([
      'CREATE SEQUENCE q START 5 INCREMENT 5 MAXVALUE 20',
      "SELECT currval('q')",
      "SELECT nextval('q'), nextval('q')",
      "SELECT currval('q'), lastval()",
      "SELECT setval('q', 18)",
      "SELECT nextval('q')",
      'SELECT last_value, log_cnt, is_called FROM q',
      "SELECT setval('q', 25)",
      "SELECT setval('q', 7, false)",
      "SELECT nextval('q')",
      'CREATE TABLE t (a int)',
      "SELECT nextval('t')",
      'ALTER SEQUENCE q INCREMENT -2 MINVALUE -10 RESTART WITH 3 CYCLE',
      "SELECT seqstart, seqincrement, seqmax, seqmin, seqcache, seqcycle FROM pg_sequence WHERE seqrelid = 'q'::regclass",
      "SELECT nextval('q'), nextval('q'), nextval('q')",
      'ALTER SEQUENCE q AS smallint',
      "SELECT seqtypid, seqmax, seqmin FROM pg_sequence WHERE seqrelid = 'q'::regclass",
      'ALTER SEQUENCE q MAXVALUE 100000',
      'CREATE SEQUENCE o OWNED BY t.a',
      'CREATE SEQUENCE o2 OWNED BY t.nope',
      'DROP TABLE t',
      "SELECT count(*) FROM pg_class WHERE relname = 'o'",
    ]);
  });

  it('TRUNCATE RESTART IDENTITY', async () => {
    await same([
      'CREATE TABLE s (id serial, v int)',
      'INSERT INTO s (v) VALUES (1), (2)',
      'TRUNCATE s',
      'INSERT INTO s (v) VALUES (3) RETURNING id',
      'TRUNCATE s RESTART IDENTITY',
      'INSERT INTO s (v) VALUES (4) RETURNING id',
    ]);
  });

  it('ALTER TABLE ADD COLUMN serial and DEFAULT fill existing rows', async () => {
    await same([
      'CREATE TABLE t (a int)',
      'INSERT INTO t VALUES (1), (2), (3)',
      'ALTER TABLE t ADD COLUMN id serial',
      'ALTER TABLE t ADD COLUMN g int GENERATED ALWAYS AS (a * 10) STORED',
      "ALTER TABLE t ADD COLUMN s text NOT NULL DEFAULT 'x'",
      'SELECT * FROM t ORDER BY a',
    ]);
  });
});

describe('more statement shapes vs PostgreSQL', () => {
  it('UPDATE ... FROM and DELETE ... USING with RETURNING of the other table', async () => {
    await same([
      'CREATE TABLE t (id int PRIMARY KEY, v int)',
      'CREATE TABLE u (id int, w int)',
      'INSERT INTO t VALUES (1, 10), (2, 20), (3, 30)',
      'INSERT INTO u VALUES (1, 100), (2, 200), (2, 201)',
      'UPDATE t SET v = t.v + u.w FROM u WHERE u.id = t.id AND u.w < 201 RETURNING t.id, t.v, u.w',
      'DELETE FROM t USING u WHERE u.id = t.id AND u.w = 100 RETURNING t.*, u.w',
      'INSERT INTO t SELECT id + 10, v FROM t RETURNING id',
      'SELECT * FROM t ORDER BY id',
    ]);
  });

  it('ON CONFLICT ON CONSTRAINT and a second unique index', async () => {
    await same([
      'CREATE TABLE t (id int CONSTRAINT t_id_uq UNIQUE, code text UNIQUE, n int)',
      "INSERT INTO t VALUES (1, 'a', 0)",
      "INSERT INTO t VALUES (1, 'b', 0) ON CONFLICT ON CONSTRAINT t_id_uq DO UPDATE SET n = t.n + 1 RETURNING *",
      "INSERT INTO t VALUES (2, 'a', 0) ON CONFLICT ON CONSTRAINT t_id_uq DO UPDATE SET n = t.n + 1",
      "INSERT INTO t VALUES (2, 'a', 0) ON CONFLICT (code) DO NOTHING",
      'SELECT * FROM t ORDER BY id',
    ]);
  });

  // Batched INSERT (heap_multi_insert, HEAP_MULTI_INSERT_MAX_TUPLES rows per batch): the same rows,
  // counts and errors as row-at-a-time execution, across and within batches.
  it('INSERT ... SELECT in batches: rows, counts, unique checks across batches', async () => {
    await same([
      'CREATE TABLE t (id int PRIMARY KEY, v text, n int)',
      "INSERT INTO t SELECT g, 'row ' || g, g % 7 FROM generate_series(1, 2500) g",
      'SELECT count(*), sum(id), sum(n), min(v), max(v) FROM t',
      "SELECT * FROM t WHERE id IN (1, 999, 1000, 1001, 2000, 2500) ORDER BY id",
      // A duplicate of a stored row, and one of a row the same statement wrote in an earlier batch.
      "INSERT INTO t SELECT g, 'again', 0 FROM generate_series(2501, 2600) g UNION ALL SELECT 17, 'dup', 0",
      "INSERT INTO t SELECT g, 'again', 0 FROM generate_series(3001, 4200) g UNION ALL SELECT 3005, 'dup', 0",
      // Within one batch.
      "INSERT INTO t VALUES (5001, 'a', 1), (5002, 'b', 2), (5001, 'c', 3)",
      'SELECT count(*) FROM t',
      'CREATE TABLE c (id int, v text)',
      'INSERT INTO c SELECT id, v FROM t WHERE n = 3',
      'INSERT INTO c SELECT * FROM c',
      'SELECT count(*), count(DISTINCT id), sum(id) FROM c',
    ]);
  });

  it('INSERT ... SELECT in batches reports the first failing row, as row-at-a-time execution does', async () => {
    await same([
      'CREATE TABLE t (id int PRIMARY KEY, v text NOT NULL, n int CHECK (n >= 0))',
      "INSERT INTO t VALUES (3, 'x', 0)",
      // Row 3 is a duplicate; a later row divides by zero, breaks NOT NULL, or breaks the CHECK.
      "INSERT INTO t SELECT g, 'v', 10 / (g - 5) + 10 FROM generate_series(1, 8) g",
      "INSERT INTO t SELECT g, CASE WHEN g = 6 THEN NULL ELSE 'v' END, 1 FROM generate_series(1, 8) g",
      "INSERT INTO t SELECT g, 'v', 4 - g FROM generate_series(1, 8) g",
      // Without the duplicate, the later row's error is the one.
      "INSERT INTO t SELECT g, 'v', 10 / (g - 5) + 10 FROM generate_series(10, 20) g UNION ALL SELECT 5, 'v', 1",
      "INSERT INTO t SELECT g, CASE WHEN g = 1006 THEN NULL ELSE 'v' END, 1 FROM generate_series(10, 1100) g",
      'SELECT count(*) FROM t',
    ]);
  });

  it('batched INSERT of large (TOASTed) values, with RETURNING, committed and rolled back', async () => {
    await same([
      'CREATE TABLE t (id int, big text)',
      "INSERT INTO t SELECT g, repeat(md5(g::text), 200) FROM generate_series(1, 30) g",
      'SELECT count(*), sum(length(big)), count(DISTINCT big) FROM t',
      "INSERT INTO t SELECT g, 'r' FROM generate_series(31, 33) g RETURNING id, big",
      'BEGIN',
      "INSERT INTO t SELECT id + 100, big FROM t WHERE id <= 10",
      'COMMIT',
      'BEGIN',
      "INSERT INTO t SELECT g, 'gone' FROM generate_series(200, 1500) g",
      'ROLLBACK',
      'SELECT count(*), sum(id), sum(length(big)) FROM t',
    ]);
  });

  it('DROP COLUMN takes its index and constraints along', async () => {
    await same([
      'CREATE TABLE t (a int PRIMARY KEY, b int UNIQUE, c int CHECK (c > 0))',
      'CREATE INDEX t_c_idx ON t (c)',
      'INSERT INTO t VALUES (1, 1, 1)',
      'ALTER TABLE t DROP COLUMN c',
      'ALTER TABLE t DROP COLUMN b',
      "SELECT relname FROM pg_class WHERE relname LIKE 't\\_%' ORDER BY relname",
      'INSERT INTO t VALUES (2)',
      'SELECT * FROM t ORDER BY a',
      'DROP INDEX t_pkey',
    ]);
  });
});
