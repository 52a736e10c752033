import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import SQLiteNIO
import Testing

@testable import OrdersCore
@testable import OrdersService

/// SQLite failing for reasons outside the request keeps the store's contract: `SQLITE_BUSY` once the busy
/// timeout has passed and `SQLITE_FULL` answer 503 with `Retry-After`, logged as a warning, never as an
/// error and never as 500; the store serves again once the cause is gone.
@Suite("SQLite busy and full answer 503")
struct SQLiteUnavailableTests {
    /// What a test gets: the store, its file, a customer key, a client and the logs.
    struct Setup: Sendable {
        let store: SQLiteOrderStore
        let path: String
        let token: String
        let client: any TestClientProtocol
        let logs: InMemoryLogSink
    }

    /// Runs `body` with a service on a new SQLite file whose statements wait `busyTimeout` for a lock,
    /// and a customer key.
    private func withService(
        busyTimeout: Int = SQLiteOrderStore.busyTimeoutMilliseconds,
        _ body: @escaping @Sendable (Setup) async throws -> Void
    ) async throws {
        let logs = InMemoryLogSink()
        let logger = Logger(label: "test") { StructuredLogHandler(label: $0, format: .json, level: .debug, sink: logs) }
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("orders-\(UUID().uuidString).sqlite")
            .path
        let store = try await SQLiteOrderStore.open(
            path: path,
            readerCount: 1,
            busyTimeoutMilliseconds: busyTimeout,
            logger: logger
        )
        let service = try await buildApplication(
            configuration: try TestService.configuration(),
            logger: logger,
            store: store,
            apiKeyCacheLifetime: .seconds(60),
            runsStoreServices: false,
            testRoutes: nil
        )
        let key = APIKey.generate()
        try await store.insertKey(
            APIKeyRecord(
                keyID: key.keyID,
                secretDigest: key.secretDigest,
                customerID: "c-1",
                label: "t",
                createdAtMilliseconds: 0
            )
        )
        try await withStoreServices(of: store, logger: logger) {
            try await service.application.test(.router) { client in
                try await body(Setup(store: store, path: path, token: key.token, client: client, logs: logs))
            }
        }
    }

    private func expectUnavailable(_ response: TestResponse, _ logs: InMemoryLogSink, cause: String) throws {
        #expect(response.status == .serviceUnavailable, "\(cause): \(response.text)")
        #expect(response.headers[.retryAfter] == "2")
        #expect(response.headers[.contentType] == "application/problem+json")
        #expect(!logs.lines.contains { $0.contains(#""level":"error""#) }, "\(cause) was logged as an error")
        #expect(logs.lines.contains { $0.contains("order store unavailable") && $0.contains(cause) })
    }

    @Test("a write lock held past the busy timeout: reads answer, writes get 503, then 201 once it goes")
    func busy() async throws {
        try await withService(busyTimeout: 200) { setup in
            let (token, client, logs) = (setup.token, setup.client, setup.logs)
            // Warm the key cache, so the request below meets the lock on its write.
            #expect(try await client.send(.get, "/orders", token: token).status == .ok)
            let other = try await SQLiteConnection.open(
                storage: .file(path: setup.path),
                logger: Logger(label: "other")
            )
            _ = try await other.rows("BEGIN IMMEDIATE")
            let clock = ContinuousClock()
            // Reads do not wait for a writer (WAL): the page answers at once, well inside the busy timeout.
            let readStarted = clock.now
            #expect(try await client.send(.get, "/orders", token: token).status == .ok)
            #expect(clock.now - readStarted < .milliseconds(150), "a read waited for the write lock")
            let started = clock.now
            let response = try await client.send(.post, "/orders", token: token, json: orderJSON())
            #expect(clock.now - started >= .milliseconds(200), "answered before the busy timeout")
            try expectUnavailable(response, logs, cause: "busy")
            _ = try await other.rows("ROLLBACK")
            try await other.close()
            #expect(try await client.send(.post, "/orders", token: token, json: orderJSON()).status == .created)
        }
    }

    @Test("a file at its page limit: 503, then 201 once there is room")
    func full() async throws {
        try await withService { setup in
            let (store, token, client, logs) = (setup.store, setup.token, setup.client, setup.logs)
            #expect(try await client.send(.post, "/orders", token: token, json: orderJSON()).status == .created)
            let pages = try #require(
                try await store.writer.rows("PRAGMA page_count").first?.column("page_count")?.integer
            )
            _ = try await store.writer.rows("PRAGMA max_page_count = \(pages)")
            // Orders of 100 lines (the most an order has) fill the last free pages within a few requests.
            let large = Self.largeOrder()
            var statuses: [HTTPResponse.Status] = []
            var refused: TestResponse?
            for _ in 0..<50 where refused == nil {
                let response = try await client.send(.post, "/orders", token: token, json: large)
                statuses.append(response.status)
                if response.status != .created { refused = response }
            }
            let response = try #require(refused, "the file never filled: \(statuses)")
            try expectUnavailable(response, logs, cause: "full")
            _ = try await store.writer.rows("PRAGMA max_page_count = 1073741823")
            #expect(try await client.send(.post, "/orders", token: token, json: large).status == .created)
        }
    }

    static func largeOrder() -> String {
        let items = (0..<100).map {
            #"{"sku":"SKU-\#($0)-\#(String(repeating: "x", count: 50))","quantity":1,"unit_price_cents":100}"#
        }
        return #"{"customer_id":"c-1","currency":"EUR","items":[\#(items.joined(separator: ","))]}"#
    }
}
