/// The PostgreSQL schema, as numbered migrations recorded in `schema_migrations`. Tables are created
/// unqualified, so they land in the first schema of the role's search path: the schema named after the
/// service's role when the admin bootstrap made one, `public` on a development server.
enum PostgresSchema {
    /// Key of the transaction-level advisory lock every starting instance takes before migrating, so
    /// that several tasks starting on an empty database apply each migration exactly once.
    static let migrationLockKey: Int64 = 0x6F72_6465_7273  // "orders" in ASCII

    static let migrations: [(version: Int, statements: [String])] = [
        (
            1,
            [
                """
                CREATE TABLE orders (
                    sequence BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                    id UUID NOT NULL UNIQUE,
                    customer_id TEXT NOT NULL,
                    currency CHAR(3) NOT NULL,
                    items JSONB NOT NULL,
                    total_cents BIGINT NOT NULL CHECK (total_cents >= 0),
                    status TEXT NOT NULL,
                    created_at TIMESTAMPTZ NOT NULL,
                    idempotency_scope TEXT,
                    idempotency_key TEXT,
                    request_fingerprint TEXT,
                    UNIQUE (idempotency_scope, idempotency_key)
                )
                """,
                "CREATE INDEX orders_by_customer ON orders (customer_id, sequence)",
            ]
        ),
        (
            2,
            [
                """
                CREATE TABLE api_keys (
                    key_id TEXT PRIMARY KEY,
                    secret_sha256 TEXT NOT NULL,
                    customer_id TEXT,
                    is_admin BOOLEAN NOT NULL,
                    label TEXT NOT NULL DEFAULT '',
                    created_at TIMESTAMPTZ NOT NULL,
                    last_used_at TIMESTAMPTZ,
                    revoked_at TIMESTAMPTZ,
                    CHECK (is_admin = (customer_id IS NULL))
                )
                """
            ]
        ),
        (
            3,
            [
                """
                CREATE TABLE shared_secrets (
                    name TEXT PRIMARY KEY,
                    value_hex TEXT NOT NULL,
                    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
                )
                """
            ]
        ),
    ]
}
