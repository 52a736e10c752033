package import ServiceLifecycle

/// Where orders (and API keys, and the service's shared secrets) live. Two implementations: ``SQLiteOrderStore``, the embedded default, and
/// ``PostgresOrderStore`` for production, where every task shares one database.
///
/// Every method either completes within the store's bound or throws ``StoreUnavailableError``, which the
/// API answers with 503 and `Retry-After`; no request waits on a database indefinitely.
package protocol OrderStore: APIKeyStore, SharedSecretStore {
    /// Stores `order` unless `idempotency` names a key already used in its scope: then the order stored
    /// under that key comes back as ``OrderCreation/replayed(_:)`` when the fingerprints match, and
    /// ``OrderCreation/keyReused`` when they differ. One key creates at most one order, whatever the
    /// concurrency.
    func create(_ order: NewOrder, idempotency: IdempotencyClaim?) async throws -> OrderCreation

    /// The order with `id`, or nil. With `customerID`, an order of another customer is nil too.
    func order(id: String, customerID: String?) async throws -> Order?

    /// Up to `limit` orders, newest first; with `sequence`, only those stored before the order at that
    /// position (``Order/sequence``), so a page continues where the previous one ended; only the orders
    /// of `customerID` when it is given.
    func orders(customerID: String?, limit: Int, olderThan sequence: Int64?) async throws -> [Order]

    /// Whether the store answers now. Cheap: it never opens a connection of its own.
    func readiness() async -> StoreReadiness

    /// Long-running work the store needs (connection pools, migrations, health monitoring), run in the
    /// application's service group.
    var services: [any Service] { get }

    /// Waits until the store is ready to serve or `timeout` passes, whichever is first; used before the
    /// server starts accepting so that a normal start never answers 503.
    func waitUntilReady(timeout: Duration) async
}
