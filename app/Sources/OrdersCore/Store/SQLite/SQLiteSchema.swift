/// The SQLite schema, as numbered migrations applied in order and recorded in `schema_migrations`.
/// A migration is never edited once released; a change is a new migration.
enum SQLiteSchema {
    static let migrations: [(version: Int, statements: [String])] = [
        (
            1,
            [
                """
                CREATE TABLE orders (
                    sequence INTEGER PRIMARY KEY AUTOINCREMENT,
                    id TEXT NOT NULL UNIQUE,
                    customer_id TEXT NOT NULL,
                    currency TEXT NOT NULL,
                    items TEXT NOT NULL,
                    total_cents INTEGER NOT NULL CHECK (total_cents >= 0),
                    status TEXT NOT NULL,
                    created_at_ms INTEGER NOT NULL,
                    idempotency_scope TEXT,
                    idempotency_key TEXT,
                    request_fingerprint TEXT,
                    UNIQUE (idempotency_scope, idempotency_key)
                ) STRICT
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
                    is_admin INTEGER NOT NULL CHECK (is_admin IN (0, 1)),
                    label TEXT NOT NULL DEFAULT '',
                    created_at_ms INTEGER NOT NULL,
                    last_used_at_ms INTEGER,
                    revoked_at_ms INTEGER,
                    CHECK ((is_admin = 1) = (customer_id IS NULL))
                ) STRICT
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
                    created_at_ms INTEGER NOT NULL
                ) STRICT
                """
            ]
        ),
    ]
}
