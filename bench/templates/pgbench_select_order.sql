-- The service's point read for a caller with an API key (PostgresOrderReads.CustomerByID in
-- app/Sources/OrdersCore/Store/Postgres/PostgresOrderReads.swift, a prepared statement there too): the
-- same columns and the same two parameters, the order id and the key's customer. bench/benchlib/pgbench.py writes one copy of this
-- script per seeded order, each reading the id from a -D variable of its own, and runs them all with
-- -M prepared: each copy is parsed and planned once per connection, then bound and executed.
SELECT sequence, id, customer_id, currency, items::text, total_cents, status, created_at,
       request_fingerprint
FROM orders WHERE id = :order_id AND customer_id = :customer;
