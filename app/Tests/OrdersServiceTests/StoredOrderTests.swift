import Foundation
import Logging
import PostgresNIO
import SQLiteNIO
import Testing

@testable import OrdersCore

/// The stored form of an order is the stores' own, apart from the API's JSON: rows written in the
/// current format must read back whatever the API becomes.
@Suite("Stored orders")
struct StoredOrderTests {
    /// The cases that depend on the store.
    static let storeCases = [
        StoreCase("a row written in the current format reads back as the same order", readsTheCurrentFormat)
    ]

    /// An order as the current version stores it, column by column.
    static let row = (
        id: "6f1c2a4e-9b7d-4c3e-8a21-5d0e7f6b9c13",
        customerID: "c-1",
        currency: "EUR",
        items:
            #"[{"sku":"BOOK-1","quantity":2,"unit_price_cents":1250,"line_total_cents":2500},"#
            + #"{"sku":"Ünïcode \"quoted\" \\ €","quantity":1,"unit_price_cents":99,"line_total_cents":99}]"#,
        totalCents: Int64(2599),
        createdAtMilliseconds: Int64(1_764_800_000_123),
        scope: "customer:c-1",
        key: "stored-key",
        fingerprint: "f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f00"
    )

    /// The order that row holds.
    static let order = Order(
        id: row.id,
        customerID: "c-1",
        currency: "EUR",
        items: [
            OrderItem(sku: "BOOK-1", quantity: 2, unitPriceCents: 1250, lineTotalCents: 2500),
            OrderItem(sku: #"Ünïcode "quoted" \ €"#, quantity: 1, unitPriceCents: 99, lineTotalCents: 99),
        ],
        totalCents: 2599,
        status: "created",
        createdAtMilliseconds: row.createdAtMilliseconds,
        sequence: 1
    )

    @Test("the items column is written in the current format, byte for byte")
    func itemsColumnFormat() {
        #expect(StoredOrderItems.encode(Self.order.items) == Self.row.items)
    }

    /// A row written in the current format reads back as the same order: by id, in a page, and as the
    /// order its idempotency key created.
    static func readsTheCurrentFormat(_ store: StoreKind) async throws {
        try await withStoredRow(on: store) { orderStore async throws in
            #expect(try await orderStore.order(id: row.id, customerID: nil) == order)
            #expect(try await orderStore.orders(customerID: "c-1", limit: 10, olderThan: nil) == [order])
            let retry = NewOrder(
                id: UUID().uuidString.lowercased(),
                draft: OrderDraft(customerID: "c-1", currency: "EUR", items: order.items, totalCents: 2599),
                createdAtMilliseconds: UTCTimestamp.nowMilliseconds()
            )
            let claim = IdempotencyClaim(scope: row.scope, key: row.key, fingerprint: row.fingerprint)
            #expect(try await orderStore.create(retry, idempotency: claim) == .replayed(order))
        }
    }

    /// Runs `body` with a migrated store of `kind` that holds ``row``, inserted with SQL of its own.
    static func withStoredRow(
        on kind: StoreKind,
        _ body: @escaping @Sendable (any OrderStore) async throws -> Void
    ) async throws {
        let logger = Logger(label: "test")
        switch kind {
        case .sqlite:
            let path = FileManagerPath.temporary("stored.sqlite")
            let store = try await SQLiteOrderStore.open(path: path, readerCount: 1, logger: logger)
            let connection = try await SQLiteConnection.open(storage: .file(path: path), logger: logger)
            _ = try await connection.query(
                """
                INSERT INTO orders (id, customer_id, currency, items, total_cents, status, created_at_ms,
                                    idempotency_scope, idempotency_key, request_fingerprint)
                VALUES (?, ?, ?, ?, ?, 'created', ?, ?, ?, ?)
                """,
                [
                    .text(row.id), .text(row.customerID), .text(row.currency), .text(row.items),
                    .integer(Int(row.totalCents)), .integer(Int(row.createdAtMilliseconds)), .text(row.scope),
                    .text(row.key), .text(row.fingerprint),
                ]
            )
            try await connection.close()
            do {
                try await body(store)
            } catch {
                try await store.close()
                throw error
            }
            try await store.close()
        case .postgres:
            let settings = try await TestPostgres.freshSchema()
            let store = try PostgresOrderStore(settings: settings, logger: logger)
            try await withStoreServices(of: store, logger: logger) {
                let schema = try #require(settings.searchPath)
                try await TestPostgres.withAdminConnection(settings) { connection in
                    var binds = PostgresBindings()
                    for text in [row.id, row.customerID, row.currency, row.items] { binds.append(text) }
                    binds.append(row.totalCents)
                    binds.append(Double(row.createdAtMilliseconds) / 1000)
                    for text in [row.scope, row.key, row.fingerprint] { binds.append(text) }
                    try await connection.query(
                        PostgresQuery(
                            unsafeSQL: """
                                INSERT INTO \(schema).orders (id, customer_id, currency, items, total_cents,
                                    status, created_at, idempotency_scope, idempotency_key, request_fingerprint)
                                VALUES ($1::uuid, $2, $3, $4::jsonb, $5, 'created', to_timestamp($6), $7, $8, $9)
                                """,
                            binds: binds
                        ),
                        logger: logger
                    )
                }
                try await body(store)
            }
        }
    }
}
