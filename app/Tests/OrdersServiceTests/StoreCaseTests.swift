import Testing

/// Every store-level case (``StoreCase/all``) on each store. The PostgreSQL half needs the test server:
/// without one it shows as skipped, and under `CI=true` it runs and fails.
@Suite("Store-level cases on each store")
struct StoreCaseTests {
    @Test("on SQLite", arguments: StoreCase.all)
    func onSQLite(_ storeCase: StoreCase) async throws {
        try await storeCase.run(.sqlite)
    }

    @Test("on PostgreSQL", .requiresPostgreSQL, arguments: StoreCase.all)
    func onPostgreSQL(_ storeCase: StoreCase) async throws {
        try await storeCase.run(.postgres)
    }
}
