-- Statements PostgreSQL accepts: tabgres must analyze them too, giving the
-- same output column names and types (analyze_pglite.test.ts).
SELECT * FROM t
SELECT a, b AS bee, c + 1, a * 2 AS dbl FROM t
SELECT t.*, u.d FROM t, u
SELECT 1, 'x', 1.5, 10000000000, true, NULL
SELECT count(*), sum(a), avg(a), max(b), min(c) FROM t
SELECT lower(b), upper(b), length(b), coalesce(b, 'z'), nullif(a, 1) FROM t
SELECT CASE WHEN a > 1 THEN 'big' ELSE 'small' END FROM t
SELECT CASE a WHEN 1 THEN 'one' END, CASE WHEN true THEN 1 ELSE 2.5 END FROM t
SELECT greatest(a, c), least(1, 2.5) FROM t
SELECT a::text, b::varchar(3), '1'::int8, CAST(a AS numeric(10,2)) FROM t
SELECT a FROM t WHERE b LIKE 'x%' AND c BETWEEN 1 AND 10 OR a IN (1, 2, 3)
SELECT a FROM t WHERE a NOT IN (1, 2) AND b NOT LIKE 'y' AND c NOT BETWEEN SYMMETRIC 5 AND 1
SELECT a IS NULL, b IS NOT NULL, (a > 1) IS TRUE, (a > 1) IS NOT UNKNOWN FROM t
SELECT a IS DISTINCT FROM c, a IS NOT DISTINCT FROM 1 FROM t
SELECT b, count(*) FROM t GROUP BY b HAVING count(*) > 1 ORDER BY 2 DESC
SELECT b AS k, count(*) AS n FROM t GROUP BY k ORDER BY k NULLS FIRST
SELECT a + 1 FROM t GROUP BY a + 1
SELECT t.*, count(*) OVER () FROM t GROUP BY t.a
SELECT * FROM t JOIN u ON t.a = u.a
SELECT * FROM t LEFT JOIN u USING (a)
SELECT * FROM t NATURAL FULL JOIN u
SELECT a, t.b, u.d FROM t RIGHT JOIN u USING (a)
SELECT * FROM t CROSS JOIN u
SELECT j.a, j.d FROM (t JOIN u USING (a)) AS j
SELECT x.a FROM t JOIN u USING (a) AS x
SELECT * FROM (SELECT a, b FROM t) s(p, q)
SELECT * FROM (SELECT a FROM t)
SELECT * FROM t, LATERAL (SELECT t.a + 1 AS n) s
SELECT * FROM (VALUES (1, 'a'), (2, 'b')) AS v(n, s)
VALUES (1, 'a'), (2, NULL)
VALUES (1), (2.5)
SELECT * FROM generate_series(1, 3)
SELECT g FROM generate_series(1, 3) AS g
SELECT * FROM generate_series(1, 3) WITH ORDINALITY AS g(v, n)
SELECT * FROM t, generate_series(1, t.a)
SELECT generate_series(1, 3)
SELECT * FROM unnest(ARRAY[1, 2, 3])
SELECT ARRAY[1, 2], ARRAY['a', 'b'], ARRAY[[1, 2], [3, 4]], ARRAY[]::int[]
SELECT a FROM t WHERE a = ANY (ARRAY[1, 2]) AND a <> ALL ('{3,4}')
SELECT (SELECT max(a) FROM u), EXISTS (SELECT 1 FROM u WHERE u.a = t.a) FROM t
SELECT a FROM t WHERE a IN (SELECT a FROM u) AND b NOT IN (SELECT d FROM u)
SELECT a FROM t WHERE a > ALL (SELECT x FROM u) AND a = ANY (SELECT a FROM u)
SELECT ARRAY(SELECT a FROM t)
SELECT (SELECT b FROM t LIMIT 1) AS first
SELECT a, (SELECT count(*) FROM u WHERE u.a = t.a) FROM t
SELECT DISTINCT b FROM t ORDER BY b
SELECT DISTINCT ON (b) b, a FROM t ORDER BY b, a DESC
SELECT a FROM t ORDER BY c, b DESC NULLS LAST LIMIT 5 OFFSET 2
SELECT a FROM t ORDER BY a FETCH FIRST 3 ROWS WITH TIES
SELECT a FROM t UNION SELECT a FROM u
SELECT a, b FROM t UNION ALL SELECT x, d FROM u ORDER BY 1 LIMIT 3
SELECT 1 UNION SELECT 2.5
SELECT 'a' UNION SELECT 'b'
SELECT a FROM t INTERSECT SELECT a FROM u EXCEPT ALL SELECT 3
SELECT NULL UNION SELECT 1
WITH q AS (SELECT a FROM t) SELECT * FROM q
WITH q(x) AS (SELECT a FROM t), r AS (SELECT x FROM q) SELECT * FROM r
WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 10) SELECT * FROM r
WITH RECURSIVE r AS (SELECT 1 AS n, 'x'::text AS s UNION SELECT n + 1, s || 'x' FROM r WHERE n < 3) SELECT s FROM r
SELECT row_number() OVER (ORDER BY a), rank() OVER w, sum(c) OVER (PARTITION BY b ORDER BY a ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) FROM t WINDOW w AS (ORDER BY b)
SELECT lag(a) OVER (ORDER BY a), lead(a, 2, 0) OVER (ORDER BY a), first_value(b) OVER (PARTITION BY c) FROM t
SELECT count(*) FILTER (WHERE a > 1), count(DISTINCT b), string_agg(b, ',' ORDER BY b) FROM t
SELECT array_agg(a ORDER BY a DESC), bool_and(a > 0), bool_or(c IS NULL) FROM t
SELECT a FROM t FOR UPDATE
SELECT t.a FROM t, u FOR SHARE OF t NOWAIT
SELECT current_date, current_timestamp, localtimestamp, now()
SELECT b COLLATE "C" FROM t ORDER BY b COLLATE "C"
SELECT (a, b) = (1, 'x'), (a, c) < (1, 2) FROM t
SELECT a FROM t WHERE (a, c) IN ((1, 2), (3, 4))
SELECT 'abc' || a, a || 'abc' FROM t
SELECT extract(year FROM current_date), date_trunc('day', now())
SELECT substring(b from 1 for 2), position('a' in b), trim(b), b ~~ 'x' FROM t
SELECT a % 2, -a, abs(a), round(1.55, 1), 2 ^ 3 FROM t
SELECT v.* FROM v
SELECT a FROM v WHERE b = 'x'
SELECT count(*) FROM t t1 JOIN t t2 ON t1.a = t2.c JOIN u ON u.a = t2.a
SELECT * FROM t WHERE EXISTS (SELECT * FROM u WHERE EXISTS (SELECT 1 FROM w WHERE w.k = t.a AND w.n = u.x))
SELECT jsonb_build_object('a', 1) -> 'a', '{"a": 2}'::jsonb ->> 'a'
SELECT * FROM jsonb_each('{"a": 1}'::jsonb)
INSERT INTO t VALUES (1, 'x', 2)
INSERT INTO t (a) VALUES (1), (2)
INSERT INTO t VALUES (1, DEFAULT, 3), (2, 'y', DEFAULT)
INSERT INTO t SELECT a, d, x FROM u
INSERT INTO t (b, a) SELECT 'q', 5
INSERT INTO items (name) VALUES ('x') RETURNING *
INSERT INTO items VALUES (DEFAULT, 'x', 1.5, 2, '2024-01-01')
INSERT INTO items OVERRIDING SYSTEM VALUE VALUES (10, 'x')
INSERT INTO w (v) VALUES ('a') RETURNING k, v
INSERT INTO w VALUES (5, 'b', 7)
INSERT INTO t VALUES (1, 'x') ON CONFLICT (a) DO UPDATE SET b = excluded.b || t.b WHERE t.c IS NULL RETURNING a
INSERT INTO t VALUES (1) ON CONFLICT DO NOTHING
INSERT INTO pair VALUES (1, 2, 'r') ON CONFLICT (q, p) DO UPDATE SET r = 'z'
INSERT INTO t VALUES (1) ON CONFLICT ON CONSTRAINT t_pkey DO NOTHING
INSERT INTO u DEFAULT VALUES RETURNING d, a + 1 AS a1
UPDATE t SET b = 'x', c = c + 1 WHERE a = 1
UPDATE t SET (b, c) = ('x', 2) RETURNING *
UPDATE t SET c = u.x FROM u WHERE u.a = t.a RETURNING t.a, u.d
UPDATE t SET b = DEFAULT
UPDATE items SET id = DEFAULT, qty = DEFAULT
DELETE FROM t WHERE a > 1
DELETE FROM t USING u WHERE u.a = t.a RETURNING t.*
DELETE FROM t WHERE a IN (SELECT a FROM u) RETURNING a, b
WITH q AS (SELECT 1 AS x) INSERT INTO t SELECT x FROM q
UPDATE v SET b = 'x' WHERE a = 1
DELETE FROM v WHERE a = 2
INSERT INTO v VALUES (1, 'z')
SELECT b::int4[] FROM t
SELECT (SELECT b FROM u GROUP BY d) FROM t
SELECT a FROM t GROUP BY a HAVING (SELECT c) > 1
SELECT b FROM t JOIN u USING (a) GROUP BY a
SELECT * FROM t WHERE (a, b) = (SELECT a, d FROM u)
SELECT 1::bool
UPDATE t SET b = 1
SELECT -2147483648, -2147483649, 2147483648, 0x7FFFFFFF1, 1_000_000_000_000
SELECT a AS "Mixed Case", b "x y" FROM t
SELECT 1 + 1.5, 1 * 2::int8, 2::int2 + 3::int2, 1.5::float4 * 2, 10 / 3, 10 % 3
SELECT 'a' || 'b', 'a'::text || 1, 1 || 'a'::text
SELECT CASE WHEN true THEN 1 ELSE NULL END, CASE WHEN true THEN NULL ELSE 'x' END, CASE WHEN true THEN 1 ELSE 2::int8 END
SELECT COALESCE(NULL, NULL), COALESCE(1, 2.5), COALESCE('a', 'b')
SELECT GREATEST(1, 2::int8), LEAST('a', 'b'), NULLIF('a', 'b'), NULLIF(1, 1.5)
SELECT ARRAY[1, 2.5], ARRAY['a'], ARRAY[NULL, 1], ARRAY(SELECT b FROM t)
SELECT (SELECT count(*) FROM t), (SELECT a FROM t LIMIT 1) + 1
SELECT EXISTS (SELECT 1), NOT EXISTS (SELECT 1), 1 IN (SELECT 1)
SELECT x FROM (SELECT 1 AS x UNION SELECT 2) s
SELECT * FROM (SELECT 'a' UNION ALL SELECT 'b') s
SELECT * FROM (VALUES (1, 'a'::varchar(3)), (2, 'bb')) v
SELECT * FROM (VALUES (1::int2), (2::int8)) v
SELECT name FROM items UNION SELECT 'x'
SELECT name FROM items UNION SELECT name FROM items
SELECT name::text FROM items
SELECT price * 2, qty::numeric / 3, round(price, 2) FROM items
SELECT id, created, created + 1, created - '2020-01-01'::date FROM items
SELECT now() - interval '1 day', current_date + 1, date_trunc('month', now())
SELECT extract(epoch FROM now()), date_part('year', now())
SELECT upper(name), substring(name, 1, 2), replace(name, 'a', 'b'), concat(name, 1, 2), position('a' in name) FROM items
SELECT trim(both 'x' from name), ltrim(name), rtrim(name), btrim(name) FROM items
SELECT sum(qty), sum(price), avg(qty), avg(price), min(name), max(created), count(name) FROM items
SELECT string_agg(name, ','), array_agg(qty), bool_and(qty > 1), bool_or(true), every(true) FROM items
SELECT row_number() OVER (), rank() OVER (ORDER BY qty), dense_rank() OVER (ORDER BY qty), percent_rank() OVER (ORDER BY qty), cume_dist() OVER (ORDER BY qty), ntile(2) OVER () FROM items
SELECT lag(name) OVER (ORDER BY id), lead(qty, 1) OVER (ORDER BY id), first_value(price) OVER w, last_value(price) OVER w, nth_value(name, 2) OVER w FROM items WINDOW w AS (ORDER BY id)
SELECT sum(qty) OVER (PARTITION BY name ORDER BY id ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW), avg(price) OVER (ORDER BY id GROUPS BETWEEN 1 PRECEDING AND 1 FOLLOWING) FROM items
SELECT count(*) OVER (ORDER BY id RANGE BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING EXCLUDE CURRENT ROW) FROM items
SELECT * FROM t WHERE (a, b) > (1, 'x') AND (a, c) <> (1, 2)
SELECT * FROM t t1 JOIN LATERAL (SELECT * FROM u WHERE u.a = t1.a LIMIT 1) s ON true
SELECT * FROM t WHERE EXISTS (SELECT 1 FROM u WHERE u.a = t.a HAVING count(*) > 0)
SELECT t.a, (SELECT max(u.x) FROM u WHERE u.a = t.a) AS mx FROM t ORDER BY mx NULLS LAST
SELECT a, b FROM t ORDER BY b USING <
SELECT DISTINCT ON (a) a, b FROM t
SELECT DISTINCT a % 2 FROM t
SELECT b, count(*) FILTER (WHERE a > 1) AS big FROM t GROUP BY 1 HAVING count(*) > 0 ORDER BY big DESC, 1
SELECT a FROM t ORDER BY a OFFSET 2 ROWS FETCH NEXT 2 ROWS ONLY
SELECT 1 AS x ORDER BY x
SELECT a FROM t GROUP BY a ORDER BY sum(c)
SELECT count(*) FROM t HAVING count(*) > 0
SELECT * FROM t WHERE b ILIKE '%x%' OR b NOT ILIKE 'y' OR b ~ '^a' OR b !~* 'b'
SELECT a::regclass FROM t
SELECT ctid, tableoid FROM t
SELECT '{"a":1}'::json -> 'a', '{"a":[1,2]}'::jsonb #> '{a,0}', '{"a":1}'::jsonb ? 'a', '{"a":1}'::jsonb @> '{"a":1}'
SELECT array_length(ARRAY[1,2], 1), array_upper(ARRAY[1], 1), cardinality(ARRAY[1,2]), array_append(ARRAY[1], 2), ARRAY[1] || ARRAY[2]
SELECT * FROM unnest(ARRAY['a', 'b']) WITH ORDINALITY
SELECT u.* FROM unnest(ARRAY[1,2]) AS u(x)
SELECT generate_series(1, 2), generate_series('2020-01-01'::timestamp, '2020-01-02', '1 hour')
SELECT * FROM jsonb_each_text('{"a":"b"}') AS j
SELECT * FROM jsonb_array_elements('[1,2]')
SELECT key FROM jsonb_each('{"a":1}')
SELECT CURRENT_USER, SESSION_USER, CURRENT_SCHEMA, CURRENT_CATALOG, CURRENT_ROLE, USER
SELECT pg_typeof(1), version() IS NOT NULL, current_setting('work_mem')
SELECT 1 WHERE 1 = ALL (ARRAY[1]) AND 2 <> ALL (SELECT 1)
SELECT * FROM t AS x(p) WHERE p > 1
SELECT * FROM t JOIN u USING (a) JOIN w ON w.k = a
SELECT a FROM t NATURAL JOIN u NATURAL JOIN pair
INSERT INTO t SELECT * FROM t ON CONFLICT DO NOTHING RETURNING a
INSERT INTO items (name, price) SELECT b, c FROM t RETURNING id, price
INSERT INTO w (n) SELECT 1 WHERE false RETURNING *
UPDATE t SET b = sub.d FROM (SELECT a, d FROM u) sub WHERE sub.a = t.a RETURNING t.a, sub.d
UPDATE t SET c = (SELECT max(x) FROM u WHERE u.a = t.a)
DELETE FROM t WHERE NOT EXISTS (SELECT 1 FROM u WHERE u.a = t.a) RETURNING b || 'x'
WITH upd AS (SELECT 1 AS x) UPDATE t SET c = upd.x FROM upd RETURNING t.c
SELECT * FROM v ORDER BY a FOR UPDATE
SELECT v.a, t.c FROM v JOIN t USING (a)
SELECT a FROM t WHERE a = ANY (SELECT a FROM u) = true
SELECT * FROM t WHERE a > (SELECT a FROM u)
SELECT (a, b) FROM t GROUP BY a
SELECT count(*) FROM t GROUP BY a HAVING b = 'x'
SELECT b || NULL, NULL || NULL FROM t
WITH RECURSIVE r AS (SELECT 'a' AS s UNION ALL SELECT s || 'b' FROM r WHERE length(s) < 3) SELECT * FROM r
WITH RECURSIVE r AS (SELECT 1 AS n, 'a'::text AS s UNION ALL SELECT n + 1, s FROM r WHERE n < 3) SELECT * FROM r
WITH RECURSIVE r(n) AS (VALUES (1) UNION ALL SELECT n + 1 FROM r WHERE n < 3) SELECT * FROM r
WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 3), s AS (SELECT n * 2 AS m FROM r) SELECT * FROM s
WITH RECURSIVE s AS (SELECT n FROM r), r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 3) SELECT * FROM s
WITH RECURSIVE r(n) AS (SELECT 1 UNION SELECT n + 1 FROM r WHERE n < 3) SELECT count(*) FROM r
WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM t WHERE n < 3) SELECT * FROM t
WITH RECURSIVE x AS (SELECT 1 AS a) SELECT * FROM x
WITH x AS (SELECT 1 AS a) SELECT * FROM x, (WITH y AS (SELECT a FROM x) SELECT * FROM y) z
WITH RECURSIVE r(n, path) AS (SELECT a, ARRAY[a] FROM t UNION ALL SELECT r.n, r.path || u.a FROM r JOIN u ON u.a = r.n WHERE NOT u.a = ANY(r.path)) SELECT * FROM r
WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n FROM (SELECT * FROM r) s) SELECT 1
UPDATE vc SET a = 1 RETURNING c2
INSERT INTO vc (a) VALUES (5) RETURNING *
DELETE FROM vc WHERE c2 > 2 RETURNING a
