import Foundation
import HummingbirdTesting
import Testing

@testable import OrdersCore
@testable import OrdersService

@Suite("Pagination of GET /orders")
struct PaginationTests {
    /// The cases that depend on the store.
    static let storeCases = [
        StoreCase("list pages newest first with an opaque cursor", pagination),
        StoreCase(
            "pages stay exact while orders are created between them, for each of two customers",
            pagesUnderInserts
        ),
    ]

    /// List pages newest first with an opaque cursor.
    static func pagination(_ store: StoreKind) async throws {
        try await TestService.run(store: store) { test in
            let (token, _) = try await test.createKey(customer: "c-1")
            try await test.withRouterClient { client async throws in
                var created: [String] = []
                for index in 0..<25 {
                    let response = try await client.send(
                        .post,
                        "/orders",
                        token: token,
                        json: orderJSON(sku: "S\(index)")
                    )
                    created.append(try #require(try response.json["id"] as? String))
                }
                let seen = try await Self.pageThrough(client, token: token, limit: 10)
                #expect(seen.pages == 3)
                #expect(seen.ids == created.reversed())

                let defaultPage = try await client.send(.get, "/orders", token: token)
                #expect((try defaultPage.json["orders"] as? [Any])?.count == 20)
            }
        }
    }

    @Test(
        "a bad limit or cursor is 400",
        arguments: [
            "limit=0", "limit=101", "limit=abc", "limit=-1", "after=zzz", "after=", "after=bzE6MA", "limit=1.5",
        ]
    )
    func badQuery(query: String) async throws {
        try await TestService.run(store: .sqlite) { test in
            let (token, _) = try await test.createKey(customer: "c-1")
            try await test.withRouterClient { client async throws in
                let response = try await client.send(.get, "/orders?\(query)", token: token)
                #expect(response.status == .badRequest, "\(query)")
                #expect(response.headers[.contentType] == "application/problem+json")
            }
        }
    }

    /// Pages stay exact while orders are created between them, for each of two customers.
    static func pagesUnderInserts(_ store: StoreKind) async throws {
        try await TestService.run(store: store) { test in
            let tokens = [
                "c-1": try await test.createKey(customer: "c-1").token,
                "c-2": try await test.createKey(customer: "c-2").token,
            ]
            let admin = try await test.createKey(customer: nil).token
            try await test.withRouterClient { client async throws in
                var created: [(customer: String, id: String)] = []
                func create(for customer: String) async throws {
                    let token = try #require(tokens[customer])
                    let response = try await client.send(.post, "/orders", token: token, json: orderJSON(customer: nil))
                    #expect(response.status == .created)
                    created.append((customer, try #require(try response.json["id"] as? String)))
                }
                func newestFirst(_ customer: String?) -> [String] {
                    created.filter { customer == nil || $0.customer == customer }.map(\.id).reversed()
                }

                for _ in 0..<12 {
                    try await create(for: "c-1")
                    try await create(for: "c-2")
                }
                // Orders created while a client pages are newer than its cursor: no page shows them, and
                // none of the orders that existed is skipped or shown twice.
                let firstCustomersOrders = newestFirst("c-1")
                let firstCustomer = try await Self.pageThrough(client, token: try #require(tokens["c-1"]), limit: 5) {
                    try await create(for: "c-1")
                    try await create(for: "c-2")
                }
                #expect(firstCustomer.ids == firstCustomersOrders)
                #expect(firstCustomer.pages == 3)

                let secondCustomer = try await Self.pageThrough(client, token: try #require(tokens["c-2"]), limit: 4)
                #expect(secondCustomer.ids == newestFirst("c-2"), "only c-2's orders, all of them")

                let everyOrder = newestFirst(nil)
                let all = try await Self.pageThrough(client, token: admin, limit: 7) { try await create(for: "c-1") }
                #expect(all.ids == everyOrder, "an admin key pages through both customers' orders")
            }
        }
    }

    /// Follows `next` from the first page to the last, `limit` orders a page, running `between` after
    /// each page; every id in the order the pages gave them, and how many pages there were.
    static func pageThrough(
        _ client: any TestClientProtocol,
        token: String,
        limit: Int,
        between: () async throws -> Void = {}
    ) async throws -> (ids: [String], pages: Int) {
        var ids: [String] = []
        var cursor: String?
        var pages = 0
        repeat {
            let uri = "/orders?limit=\(limit)" + (cursor.map { "&after=\($0)" } ?? "")
            let page = try await client.send(.get, uri, token: token)
            #expect(page.status == .ok)
            let body = try page.json
            ids += try #require(body["orders"] as? [[String: Any]]).compactMap { $0["id"] as? String }
            cursor = body["next"] as? String
            pages += 1
            try await between()
        } while cursor != nil && pages < 20
        return (ids, pages)
    }
}
