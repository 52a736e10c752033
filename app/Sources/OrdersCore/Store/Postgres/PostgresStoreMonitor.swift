import Logging
import PostgresNIO
import ServiceLifecycle

/// Brings the schema up to date as soon as the database answers, then probes it once a second over a
/// pooled connection, so readiness follows an outage and its end with no restart. It runs beside the
/// server rather than before it: a service started while its database is down still serves `/health`.
struct PostgresStoreMonitor: Service {
    let store: PostgresOrderStore

    /// How often the database is probed once it is migrated.
    static let probeInterval: Duration = .seconds(1)
    /// How long a probe may take before the database counts as unreachable.
    static let probeTimeout: Duration = .seconds(1)

    func run() async throws {
        await cancelWhenGracefulShutdown {
            await watch()
        }
    }

    private func watch() async {
        var lastFailure: String?
        while !Task.isCancelled {
            if store.state.isMigrated {
                await probe()
            } else {
                do {
                    try await migrate()
                    store.state.markMigrated()
                    store.logger.info("database ready")
                    lastFailure = nil
                } catch {
                    let summary = PostgresOrderStore.summary(of: error)
                    if summary != lastFailure {
                        store.logger.warning("database not ready; retrying", metadata: ["error": .string(summary)])
                        lastFailure = summary
                    }
                    store.state.markReachable(false, reason: "database unreachable")
                }
            }
            try? await Task.sleep(for: store.state.current.isReady ? Self.probeInterval : .milliseconds(250))
        }
    }

    private func probe() async {
        let client = store.client
        do {
            try await withDeadline(Self.probeTimeout, "database probe") {
                _ = try await client.query("SELECT 1")
            }
            if store.state.markReachable(true, reason: nil) {
                store.logger.info("database reachable again")
            }
        } catch {
            if store.state.markReachable(false, reason: "database unreachable") {
                store.logger.warning(
                    "database unreachable",
                    metadata: ["error": .string(PostgresOrderStore.summary(of: error))]
                )
            }
        }
    }

    /// Applies the missing migrations under a transaction-level advisory lock: instances that start
    /// together queue on the lock, and each finds the work done by the one before it.
    private func migrate() async throws {
        let client = store.client
        let logger = store.logger
        let bound = store.settings.connectTimeout + store.settings.queryTimeout
        try await withDeadline(bound, "schema migration") {
            try await client.withTransaction(logger: logger) { connection in
                try await connection.query(
                    "SELECT pg_advisory_xact_lock(\(PostgresSchema.migrationLockKey))",
                    logger: logger
                )
                try await connection.query(
                    """
                    CREATE TABLE IF NOT EXISTS schema_migrations (
                        version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())
                    """,
                    logger: logger
                )
                let rows = try await connection.query(
                    "SELECT COALESCE(MAX(version), 0) FROM schema_migrations",
                    logger: logger
                )
                var current = 0
                for try await version in rows.decode(Int.self) { current = version }
                for migration in PostgresSchema.migrations where migration.version > current {
                    for statement in migration.statements {
                        try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                    }
                    try await connection.query(
                        "INSERT INTO schema_migrations (version) VALUES (\(migration.version))",
                        logger: logger
                    )
                    logger.info(
                        "applied schema migration",
                        metadata: ["version": .stringConvertible(migration.version)]
                    )
                }
            }
        }
    }
}
