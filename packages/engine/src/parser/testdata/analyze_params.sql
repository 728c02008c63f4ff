-- Statements with $n parameters: the inferred parameter types and result
-- columns must be PostgreSQL's (PGlite describeQuery), analyze_pglite.test.ts.
SELECT * FROM t WHERE a = $1
SELECT * FROM t WHERE b = $1 AND c > $2
SELECT $1
SELECT $1::int
SELECT $1 + 1
SELECT 1 + $1
SELECT $1 || 'x'
SELECT $1 = $2
SELECT * FROM t WHERE a IN ($1, $2)
SELECT * FROM t WHERE a = ANY ($1)
SELECT * FROM t WHERE a BETWEEN $1 AND $2
SELECT * FROM t LIMIT $1 OFFSET $2
INSERT INTO t VALUES ($1, $2, $3)
INSERT INTO t (c, a) VALUES ($1, $2) RETURNING b
INSERT INTO t VALUES ($1, $2), ($3, $4)
UPDATE t SET b = $1 WHERE a = $2
DELETE FROM t WHERE a = $1 RETURNING *
SELECT coalesce($1, 'x')
SELECT coalesce($1, 1)
SELECT CASE WHEN $1 THEN 1 END
SELECT CASE $1 WHEN 1 THEN 'a' END
SELECT $1 IS NULL
SELECT lower($1)
SELECT length($1)
SELECT count($1)
SELECT * FROM t WHERE $1
SELECT a FROM t WHERE a = $1 AND c = $1
SELECT $1, $1::int
SELECT $2::text, $1::int
SELECT * FROM t WHERE a IN (SELECT $1::int)
SELECT $1 UNION SELECT 1
SELECT 1 UNION SELECT $1
VALUES ($1, 1), (2, $2)
SELECT * FROM generate_series(1, $1)
SELECT $1 LIKE 'a%'
SELECT NOT $1
SELECT -$1
SELECT ARRAY[$1, 1]
SELECT ARRAY[$1]
SELECT $1 = ANY (ARRAY[1, 2])
SELECT greatest($1, 2.5)
SELECT nullif($1, 1)
SELECT $1 IS DISTINCT FROM 5
SELECT (SELECT $1)
