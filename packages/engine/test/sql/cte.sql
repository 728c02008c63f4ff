-- WITH and WITH RECURSIVE.
WITH t AS (SELECT 1 AS a UNION ALL SELECT 2) SELECT * FROM t ORDER BY a;
WITH t(x) AS (VALUES (1), (2), (3)) SELECT sum(x) FROM t;
WITH a AS (SELECT 1 AS v), b AS (SELECT v + 1 AS v FROM a) SELECT * FROM a, b;
WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 10) SELECT sum(n), count(*) FROM r;
WITH RECURSIVE fib(a, b) AS (SELECT 0::bigint, 1::bigint UNION ALL SELECT b, a + b FROM fib WHERE b < 1000) SELECT a FROM fib ORDER BY a;
CREATE TABLE tree (id int, parent int, label text);
INSERT INTO tree VALUES (1, NULL, 'root'), (2, 1, 'a'), (3, 1, 'b'), (4, 2, 'a1'), (5, 4, 'a1x');
WITH RECURSIVE sub AS (SELECT id, label, 0 AS depth FROM tree WHERE id = 2 UNION ALL SELECT t.id, t.label, s.depth + 1 FROM tree t JOIN sub s ON t.parent = s.id) SELECT * FROM sub ORDER BY id;
WITH RECURSIVE path AS (SELECT id, label::text AS p FROM tree WHERE parent IS NULL UNION ALL SELECT t.id, path.p || '/' || t.label FROM tree t JOIN path ON t.parent = path.id) SELECT p FROM path ORDER BY p;
WITH RECURSIVE r(n) AS (SELECT 1 UNION SELECT n FROM r) SELECT * FROM r;
WITH t AS (SELECT 1) SELECT * FROM nosuch;
WITH t AS (SELECT 1 AS a), t AS (SELECT 2) SELECT * FROM t;
WITH upd AS (SELECT id FROM tree WHERE parent = 1) SELECT count(*) FROM upd;
WITH t AS MATERIALIZED (SELECT 5 AS v) SELECT v * 2 FROM t;
WITH t AS NOT MATERIALIZED (SELECT 5 AS v) SELECT v * 3 FROM t;
WITH x AS (SELECT id FROM tree) SELECT count(*) FROM x a JOIN x b ON a.id = b.id;
WITH a AS (SELECT 1 x), b AS (SELECT x + 1 y FROM a) SELECT * FROM b;
WITH a AS (SELECT 1 x), b AS (SELECT x + 1 y FROM a) SELECT * FROM b, b b2, a;
