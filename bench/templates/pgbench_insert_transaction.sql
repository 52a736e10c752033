-- The service's create-order statement (PostgresOrderStore.create in app/Sources/OrdersCore/Store/
-- Postgres/PostgresOrderStore.swift), with its columns, conflict clause and RETURNING list, inside an
-- explicit transaction. Values have the shape the service writes for the benchmark's POST bodies.
-- pgbench reads :name as a variable even inside quotes, hence 'customer:' || 'bench-customer'.
\set n random(1, 9223372036854775806)
\set quantity random(1, 7)
\set price random(100, 9099)
\set total :quantity * :price + 499
BEGIN;
INSERT INTO orders (id, customer_id, currency, items, total_cents, status, created_at,
                    idempotency_scope, idempotency_key, request_fingerprint)
VALUES (gen_random_uuid(), 'bench-customer', 'EUR',
        '[{"sku":"SKU-123456","quantity":3,"unit_price_cents":1250,"line_total_cents":3750},{"sku":"SKU-B","quantity":1,"unit_price_cents":499,"line_total_cents":499}]'::jsonb,
        :total, 'created', now(),
        'customer:' || 'bench-customer', 'pgbench-' || CAST(:client_id AS text) || '-' || CAST(:n AS text),
        '5f2b1c8e0d7a4c3b9e6f1a2d8c4b7e0f5a3c9d1e7b2f4a6c8e0d2b4f6a8c0e1d')
ON CONFLICT (idempotency_scope, idempotency_key) DO NOTHING
RETURNING sequence, id, customer_id, currency, items::text, total_cents, status, created_at,
          request_fingerprint;
COMMIT;
