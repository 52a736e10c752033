import Foundation
import HTTPTypes
import HummingbirdTesting
import ServiceLifecycle
import Synchronization
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
        StoreCase(
            "a retry after an attempt that timed out once its order was stored returns that order",
            retryAfterTimedOutCommit
        ),
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

    @Test(
        "two Idempotency-Key headers are 400, the same value twice or two values",
        arguments: [["a", "a"], ["a", "b"]]
    )
    func twoKeys(values: [String]) async throws {
        try await TestService.run(store: .sqlite) { test in
            let (token, _) = try await test.createKey(customer: "c-1")
            try await test.withRouterClient { client async throws in
                var headers = HTTPFields()
                for value in values { headers.append(HTTPField(name: Self.keyHeader, value: value)) }
                let response = try await client.send(
                    .post,
                    "/orders",
                    token: token,
                    json: orderJSON(),
                    headers: headers
                )
                #expect(response.status == .badRequest)
                #expect(try response.json["type"] as? String == "urn:orders-service:problem:invalid-idempotency-key")
                let list = try await client.send(.get, "/orders", token: token)
                #expect((try list.json["orders"] as? [Any])?.isEmpty == true, "nothing was written")
            }
        }
    }

    /// A retry after an attempt that timed out once its order was stored returns that order.
    ///
    /// The first attempt's order is committed, then the request outlives its time limit and gets 503,
    /// as when a database commits and the answer is lost. The client retries with the same key, as the
    /// 503's detail tells it to, and gets the stored order, marked as a replay; no second order exists.
    static func retryAfterTimedOutCommit(_ store: StoreKind) async throws {
        try await TestService.run(
            store: store,
            environment: ["REQUEST_TIMEOUT_SECONDS": "1"],
            wrappingStore: commitThenStall
        ) { test in
            let (token, _) = try await test.createKey(customer: "c-1")
            let key: HTTPFields = [Self.keyHeader: "retried-after-timeout"]
            try await test.withRouterClient { client async throws in
                let first = try await client.send(.post, "/orders", token: token, json: orderJSON(), headers: key)
                #expect(first.status == .serviceUnavailable)
                #expect(try first.json["type"] as? String == "urn:orders-service:problem:request-time-limit")

                let stored = try await client.send(.get, "/orders", token: token)
                let storedIDs = try #require(try stored.json["orders"] as? [[String: Any]]).compactMap {
                    $0["id"] as? String
                }
                #expect(storedIDs.count == 1, "the timed-out attempt stored its order")

                let retry = try await client.send(.post, "/orders", token: token, json: orderJSON(), headers: key)
                #expect(retry.status == .created)
                #expect(retry.headers[Self.replayedHeader] == "true")
                #expect(try retry.json["id"] as? String == storedIDs.first)

                let after = try await client.send(.get, "/orders", token: token)
                #expect((try after.json["orders"] as? [Any])?.count == 1, "still exactly one order")
            }
        }
    }
}

/// A store whose first `create` stores the order and then does not return until its request is given
/// up: that request ends with the time limit's 503 although its order exists. The insert itself runs in
/// a task of its own, so it completes however slow the machine is and whenever the limit strikes.
private func commitThenStall(_ base: any OrderStore) -> any OrderStore {
    final class Once: Sendable { let done = Atomic<Bool>(false) }
    let stalled = Once()
    return InterceptingStore(base: base) { order, idempotency, base in
        let creation = try await Task { try await base.create(order, idempotency: idempotency) }.value
        if !stalled.done.exchange(true, ordering: .relaxed) {
            // Ends when the request's time limit cancels the handler; an hour is only the upper bound.
            try await Task.sleep(for: .seconds(3600))
        }
        return creation
    }
}
