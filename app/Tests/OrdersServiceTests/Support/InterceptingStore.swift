import ServiceLifecycle

@testable import OrdersCore

/// A store that passes every call to `base`, except the ones a test replaces: creating an order, and
/// reading a key.
final class InterceptingStore: OrderStore {
    let base: any OrderStore
    private let create: (@Sendable (NewOrder, IdempotencyClaim?, any OrderStore) async throws -> OrderCreation)?
    private let key: (@Sendable (String, any OrderStore) async throws -> APIKeyRecord?)?

    /// `base` with `create` and `key` replaced where given; each replacement is handed `base`.
    init(
        base: any OrderStore,
        create: (@Sendable (NewOrder, IdempotencyClaim?, any OrderStore) async throws -> OrderCreation)? = nil,
        key: (@Sendable (String, any OrderStore) async throws -> APIKeyRecord?)? = nil
    ) {
        self.base = base
        self.create = create
        self.key = key
    }

    func create(_ order: NewOrder, idempotency: IdempotencyClaim?) async throws -> OrderCreation {
        guard let create else { return try await base.create(order, idempotency: idempotency) }
        return try await create(order, idempotency, base)
    }

    func key(id keyID: String) async throws -> APIKeyRecord? {
        guard let key else { return try await base.key(id: keyID) }
        return try await key(keyID, base)
    }

    func order(id: String, customerID: String?) async throws -> Order? {
        try await base.order(id: id, customerID: customerID)
    }

    func orders(customerID: String?, limit: Int, olderThan sequence: Int64?) async throws -> [Order] {
        try await base.orders(customerID: customerID, limit: limit, olderThan: sequence)
    }

    func readiness() async -> StoreReadiness { await base.readiness() }
    var services: [any Service] { base.services }
    func waitUntilReady(timeout: Duration) async { await base.waitUntilReady(timeout: timeout) }
    func insertKey(_ record: APIKeyRecord) async throws { try await base.insertKey(record) }
    func allKeys() async throws -> [APIKeyRecord] { try await base.allKeys() }
    func revokeKey(id keyID: String, at time: Int64) async throws -> Bool {
        try await base.revokeKey(id: keyID, at: time)
    }
    func touchKey(id keyID: String, at time: Int64) async throws { try await base.touchKey(id: keyID, at: time) }
    func sharedSecret(named name: String, storingIfAbsent candidate: [UInt8]) async throws -> [UInt8] {
        try await base.sharedSecret(named: name, storingIfAbsent: candidate)
    }
}
