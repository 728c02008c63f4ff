-- Sequential scans whose leading conditions run as scan keys on the stored
-- tuples (executor/execScanKeys.ts): integer comparisons and LIKE. The
-- answers must be those of ordinary qual evaluation, NULLs, errors and all.
CREATE TABLE sk (i2 int2, i4 int4, i8 int8, t text, v varchar(40), n int4);
INSERT INTO sk SELECT g::int2, g * 10, g::int8 * 1000000000, 'row ' || g || CASE WHEN g % 3 = 0 THEN ' fifty' ELSE '' END, 'v' || g, g FROM generate_series(-20, 40) g;
INSERT INTO sk VALUES (NULL, NULL, NULL, NULL, NULL, NULL), (1, NULL, 2, 'héllo wörld', 'naïve_x', 1), (NULL, 5, NULL, '日本語', '😀 emoji', 2), (3, 3, 3, 'a%b_c\d', 'a%b', 3);
SELECT count(*), sum(n) FROM sk WHERE i4 >= 50 AND i4 < 200;
SELECT count(*), sum(n) FROM sk WHERE i4 > 100;
SELECT count(*), sum(n) FROM sk WHERE i4 <= -100;
SELECT count(*), sum(n) FROM sk WHERE i4 = 30;
SELECT count(*), sum(n) FROM sk WHERE i4 <> 30;
SELECT count(*), sum(n) FROM sk WHERE 100 < i4;
SELECT count(*), sum(n) FROM sk WHERE 100 >= i4 AND -5 <> i2;
SELECT count(*), sum(n) FROM sk WHERE i2 < 3;
SELECT count(*), sum(n) FROM sk WHERE i2 = 3::int8;
SELECT count(*), sum(n) FROM sk WHERE i2 > 70000;
SELECT count(*), sum(n) FROM sk WHERE i4 < 9999999999;
SELECT count(*), sum(n) FROM sk WHERE i4 > -9999999999;
SELECT count(*), sum(n) FROM sk WHERE i8 >= 10000000000;
SELECT count(*), sum(n) FROM sk WHERE i8 < 5;
SELECT count(*), sum(n) FROM sk WHERE i8 = 2::int2;
SELECT count(*), sum(n) FROM sk WHERE i8 <> 0;
SELECT count(*), avg(i4) FROM sk WHERE i4 >= 0;
SELECT avg(i2), avg(i4), avg(i8) FROM sk WHERE i8 > -9223372036854775807;
SELECT count(*) FROM sk WHERE t LIKE '%fifty%';
SELECT count(*) FROM sk WHERE t NOT LIKE '%fifty%';
SELECT n, t FROM sk WHERE t LIKE 'row 1%' ORDER BY n;
SELECT n, t FROM sk WHERE t LIKE '%0' ORDER BY n;
SELECT n, t FROM sk WHERE t LIKE 'row _' ORDER BY n;
SELECT n, t FROM sk WHERE t LIKE 'h_llo w_rld';
SELECT n, t FROM sk WHERE t LIKE '日_語';
SELECT n, t FROM sk WHERE t LIKE '__';
SELECT n, t FROM sk WHERE t LIKE 'a\%b\_c\\d';
SELECT n, t FROM sk WHERE t LIKE 'a%b_c%' ORDER BY n;
SELECT n, t FROM sk WHERE t LIKE '%' ORDER BY n LIMIT 3;
SELECT count(*) FROM sk WHERE t LIKE '';
SELECT n, v FROM sk WHERE v LIKE 'na_ve\_%';
SELECT n, v FROM sk WHERE v LIKE '_ emoji';
SELECT n, v FROM sk WHERE v NOT LIKE 'v%' ORDER BY n;
SELECT n FROM sk WHERE v LIKE 'v1%' AND i4 > 100 ORDER BY n;
SELECT n FROM sk WHERE i4 > 100 AND t LIKE '%fifty' AND n % 2 = 0 ORDER BY n;
SELECT count(*) FROM sk WHERE t LIKE NULL;
SELECT count(*) FROM sk WHERE i4 > NULL;
SELECT count(*) FROM sk WHERE t ILIKE 'ROW 1%';
-- A pattern ending in an escape is an error only for a row the match reaches it on.
SELECT count(*) FROM sk WHERE t LIKE 'zzz\';
SELECT count(*) FROM sk WHERE t LIKE 'row 1\';
-- A condition before the keys still runs first: its error is not skipped.
SELECT count(*) FROM sk WHERE 100 / (n - 7) > 0 AND t LIKE 'nothing%';
SELECT count(*) FROM sk WHERE t LIKE 'nothing%' AND 100 / (n - 7) > 0;
-- Values stored compressed and out of line.
INSERT INTO sk (t, v, n) VALUES (repeat('abc', 5000) || ' fifty', 'long', 100);
INSERT INTO sk (t, v, n) SELECT string_agg(md5(g::text), '') || ' tail', 'ext', 101 FROM generate_series(1, 300) g;
SELECT n, length(t) FROM sk WHERE t LIKE '%fifty' ORDER BY n DESC LIMIT 2;
SELECT n, length(t) FROM sk WHERE t LIKE '%tail' ORDER BY n;
SELECT n FROM sk WHERE t LIKE 'abcabc%' AND t NOT LIKE '%tail';
-- A column added later: old rows do not store it.
ALTER TABLE sk ADD COLUMN k int4 DEFAULT 7;
SELECT count(*) FROM sk WHERE k = 7;
ALTER TABLE sk ADD COLUMN k2 int4;
SELECT count(*) FROM sk WHERE k2 = 7;
UPDATE sk SET k2 = 7 WHERE n = 5;
SELECT count(*) FROM sk WHERE k2 = 7;
-- DELETE and UPDATE scans use the same keys.
DELETE FROM sk WHERE t LIKE '%fifty%';
UPDATE sk SET n = n + 1000 WHERE i4 >= 300;
SELECT count(*), sum(n) FROM sk;
