import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@testable import OrdersCore
@testable import OrdersService

@Suite("Idempotency-Key")
struct IdempotencyTests {
    static let keyHeader = HTTPField.Name("Idempotency-Key")!
    static let replayedHeader = HTTPField.Name("Idempotent-Replayed")!

    /// The cases that depend on the store.
    static let storeCases = [
        StoreCase(
            "an idempotent retry returns the original order; the same key with another body is refused",
            idempotency
        ),
        StoreCase("50 concurrent requests with one Idempotency-Key create exactly one order", concurrentIdempotency),
    ]

    /// An idempotent retry returns the original order; the same key with another body is refused.
    static func idempotency(_ store: StoreKind) async throws {
        try await TestService.run(store: store) { test in
            let (token, _) = try await test.createKey(customer: "c-1")
            let (otherToken, _) = try await test.createKey(customer: "c-2")
            let key: HTTPFields = [Self.keyHeader: "order-42"]
            try await test.withRouterClient { client async throws in
                let first = try await client.send(.post, "/orders", token: token, json: orderJSON(), headers: key)
                #expect(first.status == .created)
                #expect(first.headers[Self.replayedHeader] == nil)
                let sameMeaning =
                    #"{ "items": [{"unit_price_cents":1250, "quantity":2, "sku":"SKU-1"}], "currency":"EUR", "customer_id":"c-1" }"#
                let retry = try await client.send(.post, "/orders", token: token, json: sameMeaning, headers: key)
                #expect(retry.status == .created)
                #expect(retry.headers[Self.replayedHeader] == "true")
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

    /// 50 concurrent requests with one Idempotency-Key create exactly one order.
    static func concurrentIdempotency(_ store: StoreKind) async throws {
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
                                headers: [Self.keyHeader: "same-key"]
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
                    headers: [Self.keyHeader: value]
                )
                #expect(response.status == .badRequest)
            }
        }
    }
}
