import Foundation
import HTTPTypes
import HummingbirdTesting
import Logging
import Testing

@testable import OrdersCore
@testable import OrdersService

@Suite("Page cursors: opaque, tamper-evident, scoped to their customer, shared by every instance")
struct CursorTests {
    /// The cases that depend on the store.
    static let storeCases = [
        StoreCase("a second instance on the same store continues a page the first began", sharedByInstances),
        StoreCase("a cursor is refused for another customer, an admin's for a customer, a forged one for all", scoped),
    ]

    /// The first page of `limit` orders of `token`'s listing on `application`, and its `next` cursor.
    static func firstPage(
        _ application: OrdersServiceApplication,
        token: String,
        limit: Int
    ) async throws -> (ids: [String], next: String) {
        try await application.application.test(.router) { client async throws in
            let page = try await client.send(.get, "/orders?limit=\(limit)", token: token).json
            let ids = try #require(page["orders"] as? [[String: Any]]).compactMap { $0["id"] as? String }
            return (ids, try #require(page["next"] as? String))
        }
    }

    /// A second instance on the same store continues a page the first began.
    static func sharedByInstances(_ store: StoreKind) async throws {
        try await TestService.run(store: store) { test in
            let (token, _) = try await test.createKey(customer: "c-1")
            try await test.withRouterClient { client async throws in
                for index in 0..<3 {
                    let created = try await client.send(
                        .post,
                        "/orders",
                        token: token,
                        json: orderJSON(sku: "S\(index)")
                    )
                    #expect(created.status == .created)
                }
            }
            let first = try await firstPage(test.service, token: token, limit: 2)
            let second = try await test.anotherInstance()
            try await second.application.test(.router) { client async throws in
                let page = try await client.send(.get, "/orders?limit=2&after=\(first.next)", token: token)
                #expect(page.status == .ok, "\(page.text)")
                #expect((try page.json["orders"] as? [Any])?.count == 1)
            }
            let again = try await firstPage(second, token: token, limit: 2)
            #expect(again.next == first.next, "the same position gives the same cursor on every instance")
        }
    }

    /// A cursor is refused for another customer, an admin's for a customer, a forged one for all.
    static func scoped(_ store: StoreKind) async throws {
        try await TestService.run(store: store) { test in
            let first = try await test.createKey(customer: "c-1").token
            let second = try await test.createKey(customer: "c-2").token
            let admin = try await test.createKey(customer: nil).token
            try await test.withRouterClient { client async throws in
                for token in [first, first, second, second] {
                    #expect(
                        try await client.send(.post, "/orders", token: token, json: orderJSON(customer: nil)).status
                            == .created
                    )
                }
            }
            let firstsCursor = try await firstPage(test.service, token: first, limit: 1).next
            let adminsCursor = try await firstPage(test.service, token: admin, limit: 1).next
            let oldFormat = Base64URL.encode(Array("o1:\(Int64.max)".utf8))
            var flipped = Array(firstsCursor)
            flipped[20] = flipped[20] == "A" ? "B" : "A"
            let tampered = String(flipped)
            try await test.withRouterClient { client async throws in
                let ok = HTTPResponse.Status.ok
                let refused = HTTPResponse.Status.badRequest
                var attempts: [(token: String, cursor: String, status: HTTPResponse.Status)] = []
                attempts.append((first, firstsCursor, ok))
                attempts.append((second, firstsCursor, refused))
                attempts.append((admin, firstsCursor, refused))
                attempts.append((admin, adminsCursor, ok))
                attempts.append((first, adminsCursor, refused))
                attempts.append((first, oldFormat, refused))
                attempts.append((admin, oldFormat, refused))
                attempts.append((first, tampered, refused))
                attempts.append((first, String(firstsCursor.dropLast()), refused))
                for attempt in attempts {
                    let response = try await client.send(.get, "/orders?after=\(attempt.cursor)", token: attempt.token)
                    #expect(response.status == attempt.status, "\(attempt.cursor): \(response.text)")
                }
            }
        }
    }

    @Test("a cursor reveals nothing of the position it holds, and decodes only with its key and scope")
    func sealedWithTheKey() throws {
        let key = (0..<32).map { UInt8($0) }
        let sealer = CursorSealer(key: key)
        let token = sealer.token(sequence: 12_345, scope: "customer:c-1")
        #expect(token.utf8.count <= CursorSealer.maximumTokenLength)
        // 12,345 as the 8 big-endian bytes a plain cursor would carry, and as text.
        let position: [UInt8] = [0, 0, 0, 0, 0, 0, 0x30, 0x39]
        let bytes = try #require(Base64URL.decode(token))
        #expect(!(0...(bytes.count - position.count)).contains { Array(bytes[$0..<$0 + position.count]) == position })
        #expect(!String(decoding: bytes, as: UTF8.self).contains("12345"))
        #expect(sealer.sequence(fromToken: token, scope: "customer:c-1") == 12_345)
        #expect(sealer.sequence(fromToken: token, scope: "customer:c-2") == nil)
        #expect(CursorSealer(key: key).sequence(fromToken: token, scope: "customer:c-1") == 12_345)
        #expect(CursorSealer(key: key.reversed()).sequence(fromToken: token, scope: "customer:c-1") == nil)
        #expect(sealer.token(sequence: 12_346, scope: "customer:c-1") != token)
    }

    @Test("CURSOR_KEY, when set, is the key: cursors open on an instance given the same key, not on another")
    func configuredKey() async throws {
        let key = String(repeating: "ab", count: 32)
        try await TestService.run(store: .sqlite, environment: ["CURSOR_KEY": key]) { test in
            let (token, _) = try await test.createKey(customer: "c-1")
            try await test.withRouterClient { client async throws in
                for _ in 0..<2 {
                    #expect(try await client.send(.post, "/orders", token: token, json: orderJSON()).status == .created)
                }
            }
            let cursor = try await Self.firstPage(test.service, token: token, limit: 1).next
            let stored = try await test.service.store.sharedSecret(
                named: CursorKeyProvider.secretName,
                storingIfAbsent: Array(repeating: 7, count: 32)
            )
            #expect(stored == Array(repeating: 7, count: 32), "with CURSOR_KEY set, no key is stored")
            let sealer = CursorSealer(key: try #require(Hex.decode(key)))
            #expect(sealer.sequence(fromToken: cursor, scope: "customer:c-1") != nil)
            #expect(CursorSealer(key: stored).sequence(fromToken: cursor, scope: "customer:c-1") == nil)
        }
    }
}
