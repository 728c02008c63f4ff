-- Column defaults and CHECK constraints shown as PostgreSQL deparses its stored trees (pg_get_expr, information_schema, \d).
CREATE TABLE dp (id serial PRIMARY KEY, a int DEFAULT 0 CHECK (a > 0), b text DEFAULT 'n', c numeric(8,2) CHECK (c > 0), h varchar(5) DEFAULT 'ab', CHECK (a < 100 AND b <> 'x'), k int CHECK (k IN (1, 2, 3)), l text CHECK (l LIKE 'a%'), m int CHECK (m IS NOT NULL OR a IS NULL), p int CHECK (p BETWEEN 1 AND 5), q text DEFAULT 'it''s', s text DEFAULT 'a' || 'b', t int CHECK (t <> ALL ('{1,2}')), u int CHECK (NOT (u = 3)), v bool CHECK (v IS TRUE), w int CHECK (coalesce(w, 0) >= 0));
CREATE TABLE dp2 (d timestamptz DEFAULT now(), e int DEFAULT (1 + 2) * 3, f text DEFAULT lower('X'), g bool DEFAULT true, i int[] DEFAULT '{1,2}', j date DEFAULT current_date, n int DEFAULT -1, o float8 DEFAULT 1e10, x int CHECK (CASE WHEN x > 0 THEN true ELSE false END));
SELECT table_name, column_name, column_default FROM information_schema.columns WHERE table_name IN ('dp', 'dp2') ORDER BY table_name, ordinal_position;
SELECT conname, pg_get_expr(conbin, conrelid) FROM pg_constraint WHERE conrelid = 'dp'::regclass AND contype = 'c' ORDER BY conname;
SELECT adnum, pg_get_expr(adbin, adrelid) FROM pg_attrdef WHERE adrelid = 'dp2'::regclass ORDER BY adnum;
ALTER TABLE dp ALTER COLUMN a SET DEFAULT 5 * 2;
SELECT pg_get_expr(adbin, adrelid) FROM pg_attrdef WHERE adrelid = 'dp'::regclass AND adnum = 2;
ALTER TABLE dp ADD CONSTRAINT dp_x CHECK (length(b) < 10);
SELECT pg_get_expr(conbin, conrelid) FROM pg_constraint WHERE conname = 'dp_x';
INSERT INTO dp (a, b, c) VALUES (0, 'y', 1);
INSERT INTO dp (a, b, c, p) VALUES (1, 'y', 1, 9);
