import Logging
import PostgresNIO
import ServiceLifecycle

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The production store: PostgreSQL through postgres-nio's connection pool, shared by every task.
///
/// Every call is gated on ``PostgresReadiness`` (a known outage fails in microseconds, not after a
/// timeout) and bounded by ``PostgresSettings/queryTimeout`` with ``withDeadline(_:_:operation:)``.
final class PostgresOrderStore: OrderStore, APIKeyStore {
    let client: PostgresClient
    let settings: PostgresSettings
    let logger: Logger
    let state = PostgresReadiness()

    /// Creates the store; nothing connects until its ``services`` run.
    init(settings: PostgresSettings, logger: Logger) throws {
        self.settings = settings
        self.logger = logger
        self.client = PostgresClient(
            configuration: try settings.clientConfiguration(),
            backgroundLogger: logger
        )
    }

    /// The connection pool, then the monitor that migrates and watches the database.
    var services: [any Service] {
        [client, PostgresStoreMonitor(store: self)]
    }

    /// Current readiness, from the monitor's last probe and the last queries.
    func readiness() async -> StoreReadiness { state.current }

    /// Polls readiness until it is ready or `timeout` passes.
    func waitUntilReady(timeout: Duration) async {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: timeout)
        while !state.current.isReady, clock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
    }

    /// Runs `operation` on the pool if the database is ready, within the query bound; a connection-level
    /// failure marks the database unreachable until the monitor sees it answer again.
    ///
    /// Two failures leave readiness alone: the caller giving up (its request was cancelled), and one
    /// query outlasting the bound. Neither says the database is down, and marking it down would turn
    /// every order request of this instance into a 503 until the next probe; a database that really
    /// stopped answering fails the monitor's next probe (once a second, 1 s timeout), so within about
    /// two seconds.
    func perform<Value: Sendable>(
        _ description: String,
        _ operation: @escaping @Sendable (PostgresClient) async throws -> Value
    ) async throws -> Value {
        let readiness = state.current
        guard readiness.isReady else {
            throw StoreUnavailableError("database not ready: \(readiness.reason ?? "unknown")")
        }
        do {
            let client = self.client
            return try await withDeadline(settings.queryTimeout, description) { try await operation(client) }
        } catch let error as PSQLError where error.code == .server && !Self.meansUnavailable(error) {
            throw error
        } catch let error as CancellationError {
            throw error
        } catch let error as StoreUnavailableError {
            throw error
        } catch {
            // The reason is public (`/health/ready`), so it names no server message: those can hold role
            // and database names. The message goes to the log.
            if state.markReachable(false, reason: "database unreachable: a query failed") {
                logger.warning("database unreachable", metadata: ["error": .string(Self.summary(of: error))])
            }
            throw StoreUnavailableError("\(description): \(Self.summary(of: error))")
        }
    }

    /// Server errors that say the database cannot serve now rather than that the query is wrong: class 08
    /// (connection exception), 53 (insufficient resources, such as too many connections) and 57 (operator
    /// intervention: the server is shutting down or restarting, `57P01`). They get 503, not 500.
    static func meansUnavailable(_ error: PSQLError) -> Bool {
        guard let state = error.serverInfo?[.sqlState] else { return false }
        return state.hasPrefix("08") || state.hasPrefix("53") || state.hasPrefix("57")
    }

    /// A one-line description of a database error that holds no query text and no connection string.
    static func summary(of error: any Error) -> String {
        if let error = error as? PSQLError {
            if let message = error.serverInfo?[.message] { return "server: \(message)" }
            return "\(error.code)"
        }
        if let error = error as? StoreUnavailableError { return error.description }
        return String(describing: type(of: error))
    }

    /// Inserts the order or finds the one its idempotency key created. Concurrent requests with one key
    /// meet at the unique index: the second waits for the first to commit, inserts nothing, then reads it.
    func create(_ order: NewOrder, idempotency: IdempotencyClaim?) async throws -> OrderCreation {
        guard let id = UUID(uuidString: order.id) else { throw StoreUnavailableError("order id is not a UUID") }
        let draft = order.draft
        let items = StoredOrderItems.encode(draft.items)
        let createdAt = Date(timeIntervalSince1970: Double(order.createdAtMilliseconds) / 1000)
        return try await perform("create order") { client in
            let rows = try await client.query(
                """
                INSERT INTO orders (id, customer_id, currency, items, total_cents, status, created_at,
                                    idempotency_scope, idempotency_key, request_fingerprint)
                VALUES (\(id), \(draft.customerID), \(draft.currency), \(items)::jsonb, \(draft.totalCents), 'created',
                        \(createdAt), \(idempotency?.scope), \(idempotency?.key), \(idempotency?.fingerprint))
                ON CONFLICT (idempotency_scope, idempotency_key) DO NOTHING
                RETURNING sequence
                """
            )
            for try await sequence in rows.decode(Int64.self) { return .created(order.created(sequence: sequence)) }
            guard let idempotency else { throw StoreUnavailableError("insert returned no row") }
            let existing = try await client.query(
                """
                SELECT sequence, id, customer_id, currency, items::text, total_cents, status, created_at,
                       request_fingerprint
                FROM orders WHERE idempotency_scope = \(idempotency.scope) AND idempotency_key = \(idempotency.key)
                """
            )
            guard let found = try await Self.orders(from: existing).first else {
                throw StoreUnavailableError("idempotency key conflicted but its order was not found")
            }
            return found.requestFingerprint == idempotency.fingerprint ? .replayed(try found.order()) : .keyReused
        }
    }

    /// Looks an order up by id; an id that is not a UUID cannot exist.
    func order(id: String, customerID: String?) async throws -> Order? {
        guard let uuid = UUID(uuidString: id) else { return nil }
        return try await perform("read order") { client in
            let rows =
                if let customerID {
                    try await client.execute(PostgresOrderReads.CustomerByID(id: uuid, customerID: customerID))
                } else {
                    try await client.execute(PostgresOrderReads.ByID(id: uuid))
                }
            return try await Self.orders(from: rows).first?.order()
        }
    }

    /// A page of orders, newest first.
    func orders(customerID: String?, limit: Int, olderThan sequence: Int64?) async throws -> [Order] {
        let before = sequence ?? Int64.max
        return try await perform("list orders") { client in
            let rows =
                if let customerID {
                    try await client.execute(
                        PostgresOrderReads.CustomerPage(customerID: customerID, before: before, limit: Int64(limit))
                    )
                } else {
                    try await client.execute(PostgresOrderReads.Page(before: before, limit: Int64(limit)))
                }
            return try await Self.orders(from: rows).map { try $0.order() }
        }
    }

    private static func orders(
        from rows: AsyncThrowingMapSequence<PostgresRowSequence, PostgresOrderReads.Row>
    ) async throws -> [StoredOrder] {
        var result: [StoredOrder] = []
        for try await row in rows { result.append(StoredOrder(row)) }
        return result
    }

    private static func orders(from rows: PostgresRowSequence) async throws -> [StoredOrder] {
        var result: [StoredOrder] = []
        for try await row in rows.decode(PostgresOrderReads.Row.self) { result.append(StoredOrder(row)) }
        return result
    }
}
