-- events: 10 000 rows, enough for an index to change the plan.
--
-- Try:
--   EXPLAIN SELECT * FROM events WHERE user_id = 42;        -- Seq Scan: no index on user_id
--   CREATE INDEX events_user_id_idx ON events (user_id);
--   EXPLAIN SELECT * FROM events WHERE user_id = 42;        -- now an index scan
--   EXPLAIN SELECT count(*) FROM events WHERE user_id < 900; -- most rows: still a Seq Scan

CREATE TABLE events (
  id int PRIMARY KEY,
  user_id int NOT NULL,
  kind text NOT NULL,
  amount int NOT NULL
);

INSERT INTO events
SELECT g, (g * 7919) % 1000, (ARRAY['view', 'click', 'cart', 'buy'])[1 + g % 4], g % 97
  FROM generate_series(1, 10000) AS g;

ANALYZE events;
