public import ServiceLifecycle

/// Where orders (and API keys) live. Two implementations: ``SQLiteOrderStore``, the embedded default, and
/// ``PostgresOrderStore`` for production, where every task shares one database.
///
/// Every method either completes within the store's bound or throws ``StoreUnavailableError``, which the
/// API answers with 503 and `Retry-After`; no request waits on a database indefinitely.
public protocol OrderStore: APIKeyStore {
    /// Stores `order` unless `idempotency` names a key already used in its scope: then the order stored
    /// under that key comes back as ``OrderCreation/replayed(_:)`` when the fingerprints match, and
    /// ``OrderCreation/keyReused`` when they differ. One key creates at most one order, whatever the
    /// concurrency.
    func create(_ order: NewOrder, idempotency: IdempotencyClaim?) async throws -> OrderCreation

    /// The order with `id`, or nil. With `customerID`, an order of another customer is nil too.
    func order(id: String, customerID: String?) async throws -> Order?

    /// Up to `limit` orders, newest first, strictly older than `cursor` when one is given; only the
    /// orders of `customerID` when it is given.
    func orders(customerID: String?, limit: Int, after cursor: OrderCursor?) async throws -> [Order]

    /// Whether the store answers now. Cheap: it never opens a connection of its own.
    func readiness() async -> StoreReadiness

    /// Long-running work the store needs (connection pools, migrations, health monitoring), run in the
    /// application's service group.
    var services: [any Service] { get }

    /// Waits until the store is ready to serve or `timeout` passes, whichever is first; used before the
    /// server starts accepting so that a normal start never answers 503.
    func waitUntilReady(timeout: Duration) async
}

/// An order about to be stored: the validated draft plus what the service assigns.
public struct NewOrder: Sendable, Equatable {
    /// The new order's public id.
    public var id: String
    /// What the client asked for.
    public var draft: OrderDraft
    /// Creation time, in milliseconds since the epoch.
    public var createdAtMilliseconds: Int64

    /// Creates a new order.
    public init(id: String, draft: OrderDraft, createdAtMilliseconds: Int64) {
        self.id = id
        self.draft = draft
        self.createdAtMilliseconds = createdAtMilliseconds
    }
}

/// An `Idempotency-Key` with the scope it is unique in (the caller's customer or key) and the fingerprint
/// of the request it came with.
public struct IdempotencyClaim: Sendable, Equatable {
    /// Who the key belongs to: two callers may use the same key without colliding.
    public var scope: String
    /// The header's value.
    public var key: String
    /// ``OrderFingerprint`` of the request.
    public var fingerprint: String

    /// Creates a claim.
    public init(scope: String, key: String, fingerprint: String) {
        self.scope = scope
        self.key = key
        self.fingerprint = fingerprint
    }
}

/// What ``OrderStore/create(_:idempotency:)`` did.
public enum OrderCreation: Sendable, Equatable {
    /// A new order was stored.
    case created(Order)
    /// The key was used before with the same request: this is the order it created.
    case replayed(Order)
    /// The key was used before with a different request.
    case keyReused
}

/// The store's answer to a readiness probe.
public struct StoreReadiness: Sendable, Equatable {
    /// True when the store can serve requests.
    public var isReady: Bool
    /// A short, non-sensitive reason when it cannot (never a connection string or SQL).
    public var reason: String?

    /// A ready store.
    public static let ready = StoreReadiness(isReady: true, reason: nil)

    /// Creates a readiness answer.
    public init(isReady: Bool, reason: String?) {
        self.isReady = isReady
        self.reason = reason
    }
}

/// The store cannot answer now (database down, pool exhausted, bound exceeded). The API answers 503 with
/// `Retry-After`; the details go to the log only.
public struct StoreUnavailableError: Error, CustomStringConvertible {
    /// What happened, for the log.
    public var description: String

    /// Creates the error.
    public init(_ description: String) {
        self.description = description
    }
}
