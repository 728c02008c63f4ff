-- shop: customers, products, orders and their lines: a schema for joins,
-- aggregates and foreign keys.
--
-- Try:
--   SELECT c.name, count(*) AS orders, sum(i.quantity * p.price) AS spent
--     FROM customers c JOIN orders o ON o.customer_id = c.id
--     JOIN order_items i ON i.order_id = o.id JOIN products p ON p.id = i.product_id
--    GROUP BY c.name ORDER BY spent DESC;

CREATE TABLE customers (
  id int PRIMARY KEY,
  name text NOT NULL,
  email text UNIQUE,
  city text
);

CREATE TABLE products (
  id int PRIMARY KEY,
  name text NOT NULL,
  price numeric(10, 2) NOT NULL CHECK (price > 0)
);

CREATE TABLE orders (
  id int PRIMARY KEY,
  customer_id int NOT NULL REFERENCES customers (id),
  ordered_on date NOT NULL,
  status text NOT NULL DEFAULT 'new'
);

CREATE TABLE order_items (
  order_id int NOT NULL REFERENCES orders (id),
  product_id int NOT NULL REFERENCES products (id),
  quantity int NOT NULL CHECK (quantity > 0),
  PRIMARY KEY (order_id, product_id)
);

INSERT INTO customers VALUES
  (1, 'Alice Martin', 'alice@example.com', 'Lyon'),
  (2, 'Bob Nguyen', 'bob@example.com', 'Montreal'),
  (3, 'Carol Smith', 'carol@example.com', 'Leeds'),
  (4, 'Dmitri Ivanov', 'dmitri@example.com', 'Tartu'),
  (5, 'Eva Novak', NULL, 'Brno'),
  (6, 'Farid Haddad', 'farid@example.com', 'Lyon');

INSERT INTO products VALUES
  (1, 'notebook', 3.50),
  (2, 'fountain pen', 24.00),
  (3, 'ink bottle', 8.25),
  (4, 'desk lamp', 39.90),
  (5, 'paper clips (100)', 1.20),
  (6, 'stapler', 12.75);

INSERT INTO orders VALUES
  (1, 1, '2026-01-05', 'shipped'),
  (2, 2, '2026-01-07', 'shipped'),
  (3, 1, '2026-02-11', 'shipped'),
  (4, 3, '2026-02-14', 'cancelled'),
  (5, 4, '2026-03-02', 'shipped'),
  (6, 6, '2026-03-09', 'new'),
  (7, 2, '2026-03-10', 'new'),
  (8, 1, '2026-03-12', 'new');

INSERT INTO order_items VALUES
  (1, 1, 4), (1, 2, 1),
  (2, 4, 1), (2, 5, 3),
  (3, 3, 2), (3, 1, 10),
  (4, 6, 1),
  (5, 2, 2), (5, 3, 2), (5, 5, 1),
  (6, 4, 2),
  (7, 1, 1), (7, 6, 1),
  (8, 2, 1);

ANALYZE;
