import OrdersCore
import ServiceLifecycle
import Tracing

/// An ``OrderStore`` that records a client span around every call to the store it wraps.
///
/// Span names follow OpenTelemetry's database conventions, `{operation} {table}` (`SELECT orders`), and
/// carry `db.system` (`sqlite` or `postgresql`), `db.operation.name` and `db.collection.name`; never a
/// statement, a parameter or a row, so no order, customer or key reaches the tracing backend. A create
/// that carries an `Idempotency-Key` runs inside an `idempotent create` span whose
/// `orders.idempotency.outcome` says whether it stored, replayed or refused the order.
/// `readiness()` is not traced: it never touches the database and runs on every health check.
struct TracedOrderStore: OrderStore {
    /// The store that does the work.
    let base: any OrderStore
    /// The `db.system` value: `sqlite` or `postgresql`.
    let system: String

    /// Wraps `base`, a store of `configuration`'s kind.
    init(wrapping base: any OrderStore, configuration: StoreConfiguration) {
        self.base = base
        switch configuration {
        case .sqlite: self.system = "sqlite"
        case .postgres: self.system = "postgresql"
        }
    }

    func create(_ order: NewOrder, idempotency: IdempotencyClaim?) async throws -> OrderCreation {
        guard let idempotency else {
            return try await traced("INSERT", "orders") { try await base.create(order, idempotency: nil) }
        }
        return try await withSpan("idempotent create") { span in
            let outcome = try await traced("INSERT", "orders") {
                try await base.create(order, idempotency: idempotency)
            }
            span.attributes["orders.idempotency.outcome"] =
                switch outcome {
                case .created: "created"
                case .replayed: "replayed"
                case .keyReused: "key_reused"
                }
            return outcome
        }
    }

    func order(id: String, customerID: String?) async throws -> Order? {
        try await traced("SELECT", "orders") { try await base.order(id: id, customerID: customerID) }
    }

    func orders(customerID: String?, limit: Int, olderThan sequence: Int64?) async throws -> [Order] {
        try await traced("SELECT", "orders") {
            try await base.orders(customerID: customerID, limit: limit, olderThan: sequence)
        }
    }

    func readiness() async -> StoreReadiness { await base.readiness() }

    var services: [any Service] { base.services }

    func waitUntilReady(timeout: Duration) async { await base.waitUntilReady(timeout: timeout) }

    func insertKey(_ record: APIKeyRecord) async throws {
        try await traced("INSERT", "api_keys") { try await base.insertKey(record) }
    }

    func key(id keyID: String) async throws -> APIKeyRecord? {
        try await traced("SELECT", "api_keys") { try await base.key(id: keyID) }
    }

    func allKeys() async throws -> [APIKeyRecord] {
        try await traced("SELECT", "api_keys") { try await base.allKeys() }
    }

    func revokeKey(id keyID: String, at time: Int64) async throws -> Bool {
        try await traced("UPDATE", "api_keys") { try await base.revokeKey(id: keyID, at: time) }
    }

    func touchKey(id keyID: String, at time: Int64) async throws {
        try await traced("UPDATE", "api_keys") { try await base.touchKey(id: keyID, at: time) }
    }

    func sharedSecret(named name: String, storingIfAbsent candidate: [UInt8]) async throws -> [UInt8] {
        try await traced("SELECT", "shared_secrets") {
            try await base.sharedSecret(named: name, storingIfAbsent: candidate)
        }
    }

    /// Runs `call` in a client span named `operation table`; a thrown error is recorded on the span.
    private func traced<Result>(
        _ operation: String,
        _ table: String,
        _ call: () async throws -> Result
    ) async throws -> Result {
        try await withSpan("\(operation) \(table)", ofKind: .client) { span in
            span.attributes["db.system"] = system
            span.attributes["db.operation.name"] = operation
            span.attributes["db.collection.name"] = table
            return try await call()
        }
    }
}
