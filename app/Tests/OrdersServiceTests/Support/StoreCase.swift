import Testing

/// A behaviour whose outcome depends on the store. ``StoreCaseTests`` runs every one on SQLite and on
/// PostgreSQL; each feature's suite lists its own in `storeCases`, beside the code of the cases.
struct StoreCase: Sendable, CustomTestStringConvertible {
    /// What the case shows, as the test report names it.
    let name: String
    /// The case, on the store it is given.
    let run: @Sendable (StoreKind) async throws -> Void

    init(_ name: String, _ run: @escaping @Sendable (StoreKind) async throws -> Void) {
        self.name = name
        self.run = run
    }

    var testDescription: String { name }

    /// Every store-level case of every feature.
    static let all: [StoreCase] =
        AuthorizationTests.storeCases + OrdersAPITests.storeCases + PaginationTests.storeCases
        + IdempotencyTests.storeCases + StoredOrderTests.storeCases + CursorTests.storeCases
}
