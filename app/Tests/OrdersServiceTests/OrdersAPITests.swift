import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@testable import OrdersService

@Suite("Orders API on each store")
struct OrdersAPITests {
    @Test("create returns 201, the stored order and its Location; get returns it", arguments: StoreKind.allCases)
    func createAndGet(store: StoreKind) async throws {
        try await withStore(store) {
            try await TestService.run(store: store) { test in
                let (token, _) = try await test.createKey(customer: "c-1")
                try await test.withRouterClient { client async throws in
                    let body =
                        #"{"customer_id":"c-1","currency":"EUR","items":[{"sku":"A","quantity":3,"unit_price_cents":199},{"sku":"B","quantity":1,"unit_price_cents":1000}]}"#
                    let created = try await client.send(.post, "/orders", token: token, json: body)
                    #expect(created.status == .created)
                    let order = try created.json
                    let id = try #require(order["id"] as? String)
                    #expect(UUID(uuidString: id) != nil && id == id.lowercased())
                    #expect(created.headers[.location] == "/orders/\(id)")
                    #expect(order["customer_id"] as? String == "c-1")
                    #expect(order["currency"] as? String == "EUR")
                    #expect(order["total_cents"] as? Int == 1597)
                    #expect(order["status"] as? String == "created")
                    let createdAt = try #require(order["created_at"] as? String)
                    #expect(
                        createdAt.hasSuffix("Z")
                            && ISO8601DateFormatter().date(
                                from: createdAt.replacingOccurrences(
                                    of: #"\.\d{3}"#,
                                    with: "",
                                    options: .regularExpression
                                )
                            ) != nil
                    )
                    let items = try #require(order["items"] as? [[String: Any]])
                    #expect(items.count == 2 && items[0]["line_total_cents"] as? Int == 597)

                    let fetched = try await client.send(.get, "/orders/\(id)", token: token)
                    #expect(fetched.status == .ok)
                    #expect(fetched.text == created.text)
                    let upper = try await client.send(.get, "/orders/\(id.uppercased())", token: token)
                    #expect(upper.status == .ok, "ids are case-insensitive UUIDs")
                }
            }
        }
    }

    @Test("unknown and malformed ids are 404, never 500", arguments: StoreKind.allCases)
    func unknownIDs(store: StoreKind) async throws {
        try await withStore(store) {
            try await TestService.run(store: store) { test in
                let (token, _) = try await test.createKey(customer: "c-1")
                try await test.withRouterClient { client async throws in
                    for id in [
                        UUID().uuidString, "not-a-uuid", "1", "%00", "'%20OR%201=1", String(repeating: "9", count: 300),
                    ] {
                        let response = try await client.send(.get, "/orders/\(id)", token: token)
                        #expect(response.status == .notFound, "\(id)")
                        #expect(response.headers[.contentType] == "application/problem+json")
                    }
                }
            }
        }
    }

    @Test("list pages newest first with an opaque cursor", arguments: StoreKind.allCases)
    func pagination(store: StoreKind) async throws {
        try await withStore(store) {
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
                    var seen: [String] = []
                    var cursor: String?
                    var pages = 0
                    repeat {
                        let uri = "/orders?limit=10" + (cursor.map { "&after=\($0)" } ?? "")
                        let page = try await client.send(.get, uri, token: token)
                        #expect(page.status == .ok)
                        let body = try page.json
                        let orders = try #require(body["orders"] as? [[String: Any]])
                        seen += orders.compactMap { $0["id"] as? String }
                        cursor = body["next"] as? String
                        pages += 1
                    } while cursor != nil && pages < 10
                    #expect(pages == 3)
                    #expect(seen == created.reversed())

                    let defaultPage = try await client.send(.get, "/orders", token: token)
                    #expect((try defaultPage.json["orders"] as? [Any])?.count == 20)
                }
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

    @Test("bad input gets a clear answer and writes nothing", arguments: StoreKind.allCases)
    func badInput(store: StoreKind) async throws {
        try await withStore(store) {
            try await TestService.run(store: store) { test in
                let (token, _) = try await test.createKey(customer: nil)
                try await test.withRouterClient { client async throws in
                    let cases: [(String, String?, HTTPResponse.Status)] = [
                        ("{not json", "application/json", .badRequest),
                        ("", "application/json", .badRequest),
                        ("[1,2]", "application/json", .unprocessableContent),
                        ("\"order\"", "application/json", .unprocessableContent),
                        (orderJSON(), "text/plain", .unsupportedMediaType),
                        (orderJSON(), nil, .unsupportedMediaType),
                        (orderJSON(), "application/xml", .unsupportedMediaType),
                        (
                            #"{"customer_id":"c","currency":"EUR","items":[{"sku":"a","quantity":2,"unit_price_cents":9223372036854775807}]}"#,
                            "application/json", .unprocessableContent
                        ),
                        (
                            #"{"customer_id":"c","currency":"EUR","items":[{"sku":"a","quantity":1,"unit_price_cents":9223372036854775807},{"sku":"b","quantity":1,"unit_price_cents":1}]}"#,
                            "application/json", .unprocessableContent
                        ),
                        (
                            #"{"customer_id":"c","currency":"EUR","items":[{"sku":"a","quantity":1,"unit_price_cents":92233720368547758070}]}"#,
                            "application/json", .unprocessableContent
                        ),
                        (
                            #"{"customer_id":"c","currency":"EUR","items":[{"sku":"a","quantity":1.5,"unit_price_cents":1}]}"#,
                            "application/json", .unprocessableContent
                        ),
                        (
                            #"{"customer_id":"c","currency":"EUR","items":[]}"#, "application/json",
                            .unprocessableContent
                        ),
                    ]
                    for (body, contentType, status) in cases {
                        var headers: HTTPFields = [.authorization: "Bearer \(token)"]
                        if let contentType { headers[.contentType] = contentType }
                        let response = try await client.executeRequest(
                            uri: "/orders",
                            method: .post,
                            headers: headers,
                            body: .init(string: body)
                        )
                        #expect(response.status == status, "\(body.prefix(60)) as \(contentType ?? "no type")")
                        #expect(response.headers[.contentType] == "application/problem+json")
                    }
                    let oversized = orderJSON(sku: String(repeating: "x", count: 70_000))
                    let tooLarge = try await client.send(.post, "/orders", token: token, json: oversized)
                    #expect(tooLarge.status == .contentTooLarge)
                    let list = try await client.send(.get, "/orders", token: token)
                    #expect((try list.json["orders"] as? [Any])?.isEmpty == true, "nothing was written")
                }
            }
        }
    }

    @Test("a body that breaks several rules gets every error with its JSON pointer")
    func everyFieldError() async throws {
        try await TestService.run(store: .sqlite) { test in
            let (token, _) = try await test.createKey(customer: nil)
            try await test.withRouterClient { client async throws in
                let body =
                    #"{"currency":"eur","items":[{"sku":"","quantity":0,"unit_price_cents":-1,"x/y":1},"x"],"extra~":true}"#
                let response = try await client.send(.post, "/orders", token: token, json: body)
                #expect(response.status == .unprocessableContent)
                let errors = try #require(try response.json["errors"] as? [[String: String]])
                let pointers = Set(errors.compactMap { $0["pointer"] })
                #expect(
                    pointers == [
                        "/extra~0", "/customer_id", "/currency", "/items/0/x~1y", "/items/0/sku", "/items/0/quantity",
                        "/items/0/unit_price_cents", "/items/1",
                    ]
                )
                #expect(errors.allSatisfy { !($0["detail"] ?? "").isEmpty })
            }
        }
    }

    @Test(
        "an idempotent retry returns the original order; the same key with another body is refused",
        arguments: StoreKind.allCases
    )
    func idempotency(store: StoreKind) async throws {
        try await withStore(store) {
            try await TestService.run(store: store) { test in
                let (token, _) = try await test.createKey(customer: "c-1")
                let (otherToken, _) = try await test.createKey(customer: "c-2")
                let key: HTTPFields = [HTTPField.Name("Idempotency-Key")!: "order-42"]
                try await test.withRouterClient { client async throws in
                    let first = try await client.send(.post, "/orders", token: token, json: orderJSON(), headers: key)
                    #expect(first.status == .created)
                    #expect(first.headers[HTTPField.Name("Idempotent-Replayed")!] == nil)
                    let sameMeaning =
                        #"{ "items": [{"unit_price_cents":1250, "quantity":2, "sku":"SKU-1"}], "currency":"EUR", "customer_id":"c-1" }"#
                    let retry = try await client.send(.post, "/orders", token: token, json: sameMeaning, headers: key)
                    #expect(retry.status == .created)
                    #expect(retry.headers[HTTPField.Name("Idempotent-Replayed")!] == "true")
                    #expect(try retry.json["id"] as? String == first.json["id"] as? String)

                    let different = try await client.send(
                        .post,
                        "/orders",
                        token: token,
                        json: orderJSON(quantity: 3),
                        headers: key
                    )
                    #expect(different.status == .unprocessableContent)
                    #expect(
                        try different.json["type"] as? String == "urn:orders-service:problem:idempotency-key-reused"
                    )

                    let otherCustomer = try await client.send(
                        .post,
                        "/orders",
                        token: otherToken,
                        json: orderJSON(customer: nil),
                        headers: key
                    )
                    #expect(otherCustomer.status == .created, "keys are scoped to the customer")
                    #expect(try otherCustomer.json["id"] as? String != first.json["id"] as? String)

                    let list = try await client.send(.get, "/orders", token: token)
                    #expect((try list.json["orders"] as? [Any])?.count == 1)
                }
            }
        }
    }

    @Test("50 concurrent requests with one Idempotency-Key create exactly one order", arguments: StoreKind.allCases)
    func concurrentIdempotency(store: StoreKind) async throws {
        try await withStore(store) {
            try await TestService.run(store: store) { test in
                let (token, _) = try await test.createKey(customer: "c-1")
                try await test.withRouterClient { client async throws in
                    let ids = try await withThrowingTaskGroup(of: String?.self) { group in
                        for _ in 0..<50 {
                            group.addTask {
                                let response = try await client.send(
                                    .post,
                                    "/orders",
                                    token: token,
                                    json: orderJSON(),
                                    headers: [HTTPField.Name("Idempotency-Key")!: "same-key"]
                                )
                                return response.status == .created ? try response.json["id"] as? String : nil
                            }
                        }
                        var ids: [String?] = []
                        for try await id in group { ids.append(id) }
                        return ids
                    }
                    #expect(ids.count == 50)
                    #expect(ids.allSatisfy { $0 != nil }, "every request got the order")
                    #expect(Set(ids.compactMap { $0 }).count == 1, "all got the same order")
                    let list = try await client.send(.get, "/orders?limit=100", token: token)
                    #expect((try list.json["orders"] as? [Any])?.count == 1, "exactly one order exists")
                }
            }
        }
    }

    @Test(
        "an invalid Idempotency-Key is 400",
        arguments: ["", String(repeating: "k", count: 256), "has space", "tab\tkey", "ünï"]
    )
    func invalidIdempotencyKey(value: String) async throws {
        try await TestService.run(store: .sqlite) { test in
            let (token, _) = try await test.createKey(customer: "c-1")
            try await test.withRouterClient { client async throws in
                let response = try await client.send(
                    .post,
                    "/orders",
                    token: token,
                    json: orderJSON(),
                    headers: [HTTPField.Name("Idempotency-Key")!: value]
                )
                #expect(response.status == .badRequest)
            }
        }
    }
}
