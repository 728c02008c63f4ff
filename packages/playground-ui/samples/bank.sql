-- bank: accounts and a transfer log, for the locking lessons.
--
-- Try, with two sessions side by side:
--   session 1: BEGIN; UPDATE accounts SET balance = balance - 100 WHERE id = 1;
--   session 2: UPDATE accounts SET balance = balance + 5 WHERE id = 1;   -- waits for session 1's row lock
--   session 1: COMMIT;                                                   -- session 2 goes on
-- and a deadlock: session 1 updates account 1 then 2, session 2 updates 2 then 1.

CREATE TABLE accounts (
  id int PRIMARY KEY,
  owner text NOT NULL,
  balance numeric(12, 2) NOT NULL CHECK (balance >= 0)
);

CREATE TABLE transfers (
  id int PRIMARY KEY,
  from_account int NOT NULL REFERENCES accounts (id),
  to_account int NOT NULL REFERENCES accounts (id),
  amount numeric(12, 2) NOT NULL CHECK (amount > 0),
  made_on date NOT NULL
);

INSERT INTO accounts VALUES
  (1, 'alice', 1000.00),
  (2, 'bob', 250.00),
  (3, 'carol', 4200.00),
  (4, 'dave', 0.00);

INSERT INTO transfers VALUES
  (1, 1, 2, 50.00, '2026-03-01'),
  (2, 3, 1, 300.00, '2026-03-02'),
  (3, 2, 4, 20.00, '2026-03-03');

ANALYZE;
