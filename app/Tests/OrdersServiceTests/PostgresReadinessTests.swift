import Logging
import PostgresNIO
import Testing

@testable import OrdersCore

/// Readiness follows the database, not the fate of single queries: a query that outlasts its bound or
/// whose request gave up must not mark the database down, or one slow request would turn every order
/// request of the instance into a 503 until the next probe.
@Suite("PostgreSQL readiness", .requiresPostgreSQL)
struct PostgresReadinessTests {
    @Test("a query past its bound is a 503 for its request only; the store stays ready")
    func slowQueryLeavesReadiness() async throws {
        let queryTimeout: Duration = .milliseconds(300)
        let serverSleep: Duration = .seconds(5)
        try await withReadyStore(queryTimeout: queryTimeout) { store in
            let started = ContinuousClock.now
            await #expect(throws: StoreUnavailableError.self) {
                try await store.perform("slow query") { client in
                    try await Self.sleepOnTheServer(client, "SELECT pg_sleep(\(serverSleep.components.seconds))")
                }
            }
            let answered = ContinuousClock.now - started
            #expect(answered >= queryTimeout, "not before the bound: \(answered)")
            #expect(answered < serverSleep, "at the bound, not when the query ended: \(answered)")
            #expect(await store.readiness().isReady)
        }
    }

    @Test("a request that gives up mid-query leaves the store ready")
    func cancelledQueryLeavesReadiness() async throws {
        try await withReadyStore(queryTimeout: .seconds(5)) { store in
            let query = Task {
                try await store.perform("query whose request gave up") { client in
                    try await Self.sleepOnTheServer(client, "SELECT pg_sleep(3)")
                }
            }
            try await Task.sleep(for: .milliseconds(200))
            query.cancel()
            await #expect(throws: CancellationError.self) { try await query.value }
            #expect(await store.readiness().isReady)
        }
    }

    @Test("a connection the server ends marks the store unreachable, and the monitor brings it back")
    func terminatedConnectionMarksDown() async throws {
        try await withReadyStore(queryTimeout: .seconds(5)) { store in
            let settings = store.settings
            // The backend of the store's own query is ended by another session, as a failover would.
            let query = Task {
                try await store.perform("query on a connection the server ends") { client in
                    try await Self.sleepOnTheServer(client, "SELECT pg_sleep(3.25)")
                }
            }
            // Once the query is running, that is: retried until the server has ended one backend.
            var terminated = false
            let deadline = ContinuousClock.now + .seconds(30)
            while !terminated, ContinuousClock.now < deadline {
                try await TestPostgres.withAdminConnection(settings) { connection in
                    let rows = try await connection.query(
                        """
                        SELECT pg_terminate_backend(pid) FROM pg_stat_activity
                        WHERE query = 'SELECT pg_sleep(3.25)' AND pid <> pg_backend_pid()
                        """,
                        logger: Logger(label: "test")
                    )
                    for try await ended in rows.decode(Bool.self) where ended { terminated = true }
                }
                if !terminated { try await Task.sleep(for: .milliseconds(50)) }
            }
            #expect(terminated, "the query's backend was found and ended")
            await #expect(throws: StoreUnavailableError.self) { try await query.value }
            #expect(await !store.readiness().isReady, "a failed connection says the database may be gone")
            await store.waitUntilReady(timeout: .seconds(10))
            #expect(await store.readiness().isReady, "the monitor's next probe finds the database again")
        }
    }

    /// Runs `sql` and reads its rows: a query's errors arrive with its rows, not when it is sent.
    private static func sleepOnTheServer(_ client: PostgresClient, _ sql: String) async throws {
        let rows = try await client.query(PostgresQuery(unsafeSQL: sql))
        for try await _ in rows {}
    }

    /// Runs `body` with a migrated PostgreSQL store on a fresh schema whose queries have `queryTimeout`.
    private func withReadyStore(
        queryTimeout: Duration,
        _ body: @escaping @Sendable (PostgresOrderStore) async throws -> Void
    ) async throws {
        var settings = try await TestPostgres.freshSchema()
        settings.queryTimeout = queryTimeout
        let store = try PostgresOrderStore(settings: settings, logger: Logger(label: "test"))
        try await withStoreServices(of: store, logger: store.logger) {
            try #require(await store.readiness().isReady)
            try await body(store)
        }
    }
}
