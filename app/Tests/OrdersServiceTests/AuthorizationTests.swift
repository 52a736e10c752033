import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@testable import OrdersCore
@testable import OrdersService

/// Who calls, in the authorization matrix.
enum CallerKind: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case noKey, malformedKey, unknownKey, revokedKey, otherCustomersKey, ownKey, adminKey
    var testDescription: String { rawValue }
}

@Suite("Who may call the orders API")
struct AuthorizationTests {
    /// The keys of the matrix and an order of customer c-1 that exists beforehand.
    struct World {
        let test: TestService
        let tokens: [CallerKind: String]
        let existingOrderID: String
    }

    /// Runs `body` with a service on `store` holding the matrix's keys and one order of c-1.
    static func withWorld(store: StoreKind, _ body: @escaping @Sendable (World) async throws -> Void) async throws {
        try await TestService.run(store: store) { test in
            let own = try await test.createKey(customer: "c-1")
            let other = try await test.createKey(customer: "c-2")
            let admin = try await test.createKey(customer: nil)
            let revoked = try await test.createKey(customer: "c-1")
            #expect(try await test.service.store.revokeKey(id: revoked.keyID, at: UTCTimestamp.nowMilliseconds()))
            let unknown = APIKey.generate().token
            let existing = try await test.withRouterClient { client async throws in
                try await client.send(.post, "/orders", token: own.token, json: orderJSON()).json["id"] as? String
            }
            let world = World(
                test: test,
                tokens: [
                    .malformedKey: "not-a-key", .unknownKey: unknown, .revokedKey: revoked.token,
                    .otherCustomersKey: other.token, .ownKey: own.token, .adminKey: admin.token,
                ],
                existingOrderID: try #require(existing)
            )
            try await body(world)
        }
    }

    /// Every orders route for every kind of caller, one case per kind, and the store's read of one key.
    static let storeCases =
        CallerKind.allCases.map { caller in
            StoreCase("every orders route called with \(caller.rawValue)") { store in
                try await matrix(store: store, caller: caller)
            }
        } + [StoreCase("reading one key: the key when it exists, nothing for any other id", keyRead)]

    /// The store's read of one key answers the key asked for, and nil for an unknown id, for an id that
    /// differs in one digit, and for the empty id its stand-in row carries (``APIKeyLookup``).
    static func keyRead(_ store: StoreKind) async throws {
        try await TestService.run(store: store) { test in
            let key = try await test.createKey(customer: "c-1")
            let found = try await test.service.store.key(id: key.keyID)
            #expect(found?.keyID == key.keyID)
            #expect(found?.customerID == "c-1")
            #expect(found?.secretDigest.count == 64)
            let oneDigitOff = String(key.keyID.dropLast()) + (key.keyID.hasSuffix("0") ? "1" : "0")
            for other in [String(repeating: "0", count: 16), oneDigitOff, APIKeyLookup.standInKeyID] {
                #expect(try await test.service.store.key(id: other) == nil, "key id \(other.debugDescription)")
            }
        }
    }

    /// What `caller` gets from each orders route on `store`.
    static func matrix(store: StoreKind, caller: CallerKind) async throws {
        try await Self.withWorld(store: store) { world in
            let token = world.tokens[caller]
            try await world.test.withRouterClient { client async throws in
                let create = try await client.send(.post, "/orders", token: token, json: orderJSON(customer: "c-1"))
                let list = try await client.send(.get, "/orders", token: token)
                let show = try await client.send(.get, "/orders/\(world.existingOrderID)", token: token)
                switch caller {
                case .noKey, .malformedKey, .unknownKey, .revokedKey:
                    for response in [create, list, show] {
                        #expect(response.status == .unauthorized)
                        #expect(response.headers[.wwwAuthenticate]?.hasPrefix("Bearer") == true)
                        #expect(response.headers[.contentType] == "application/problem+json")
                    }
                case .otherCustomersKey:
                    #expect(create.status == .forbidden)
                    #expect(list.status == .ok)
                    let ids = (try list.json["orders"] as? [[String: Any]])?.compactMap { $0["id"] as? String }
                    #expect(ids == [], "another customer's orders are not listed")
                    #expect(show.status == .notFound, "another customer's order looks missing")
                case .ownKey:
                    #expect(create.status == .created)
                    #expect(list.status == .ok)
                    #expect((try list.json["orders"] as? [Any])?.count == 2)
                    #expect(show.status == .ok)
                case .adminKey:
                    #expect(create.status == .created)
                    #expect((try list.json["orders"] as? [Any])?.count == 2)
                    #expect(show.status == .ok)
                }
            }
        }
    }

    @Test("the 401 answer is the same for missing, malformed, unknown and revoked keys, apart from the challenge")
    func unauthorizedAnswersLookAlike() async throws {
        try await Self.withWorld(store: .sqlite) { world in
            try await world.test.withRouterClient { client async throws in
                var bodies: Set<String> = []
                for caller in [CallerKind.noKey, .malformedKey, .unknownKey, .revokedKey] {
                    let response = try await client.send(.get, "/orders", token: world.tokens[caller])
                    #expect(response.status == .unauthorized, "\(caller)")
                    #expect(response.headers[.contentType] == "application/problem+json", "\(caller)")
                    // RFC 6750: a request without credentials gets the bare challenge; one with a bad
                    // token is told the token is invalid, which says nothing about which keys exist.
                    let challenge =
                        caller == .noKey ? #"Bearer realm="orders""# : #"Bearer realm="orders", error="invalid_token""#
                    #expect(response.headers[.wwwAuthenticate] == challenge, "\(caller)")
                    var body = try response.json
                    body["request_id"] = nil
                    bodies.insert(String(describing: body.sorted { $0.key < $1.key }))
                }
                #expect(bodies.count == 1, "one body for every refused key: \(bodies)")
            }
        }
    }

    @Test("a customer key may leave customer_id out and gets its own")
    func defaultCustomer() async throws {
        try await TestService.run(store: .sqlite) { test in
            let (token, _) = try await test.createKey(customer: "c-9")
            try await test.withRouterClient { client async throws in
                let created = try await client.send(.post, "/orders", token: token, json: orderJSON(customer: nil))
                #expect(created.status == .created)
                #expect(try created.json["customer_id"] as? String == "c-9")
            }
        }
    }

    @Test("health, metrics and the OpenAPI document need no key")
    func openRoutes() async throws {
        try await TestService.run(store: .sqlite) { test in
            try await test.withRouterClient { client async throws in
                for path in ["/health", "/health/live", "/health/ready", "/metrics", "/openapi.yaml"] {
                    #expect(try await client.send(.get, path).status == .ok, "\(path)")
                }
            }
        }
    }

    @Test("the request log names the key's public id and never its secret")
    func keyNeverLogged() async throws {
        try await TestService.run(store: .sqlite) { test in
            let (token, keyID) = try await test.createKey(customer: "c-1")
            let secret = String(token.dropFirst("ord_live_".count + 17))
            #expect(secret.count == 43)
            try await test.withRouterClient { client async throws in
                _ = try await client.send(.post, "/orders", token: token, json: orderJSON())
                _ = try await client.send(.get, "/orders", token: token)
                _ = try await client.send(.get, "/orders", token: token + "x")
            }
            let lines = test.logs.lines.filter { $0.contains(#""message":"request""#) }
            #expect(lines.count == 3)
            #expect(lines.filter { $0.contains(#""key_id":"\#(keyID)""#) }.count == 2)
            #expect(!test.logs.lines.contains { $0.contains(secret) }, "the secret is in no log line")
            #expect(!test.logs.lines.contains { $0.contains(token) })
        }
    }

    @Test("a revoked key is refused once the instance's cache of verified keys expires")
    func revocation() async throws {
        let cacheLifetime: Duration = .seconds(2)
        try await TestService.run(store: .sqlite, apiKeyCacheLifetime: cacheLifetime) { test in
            let (token, keyID) = try await test.createKey(customer: "c-1")
            try await test.withRouterClient { client async throws in
                let verified = ContinuousClock.now
                #expect(try await client.send(.get, "/orders", token: token).status == .ok)
                #expect(try await test.service.store.revokeKey(id: keyID, at: UTCTimestamp.nowMilliseconds()))
                let revoked = ContinuousClock.now
                // Within the cache entry's lifetime the instance does not ask the store again, so the
                // revoked key still works; a request sent after that lifetime may already be refused.
                let sent = ContinuousClock.now
                let cached = try await client.send(.get, "/orders", token: token).status
                #expect(cached == .ok || sent - verified >= cacheLifetime, "trusted from the cache: \(cached)")
                // The key was verified before it was revoked, so by `revoked + cacheLifetime` its entry
                // has expired on this instance and the store's answer decides.
                try await Task.sleep(until: revoked + cacheLifetime)
                #expect(try await client.send(.get, "/orders", token: token).status == .unauthorized)
            }
            // `last_used_at` is written off the request's path: wait for that write, with a generous bound.
            try await waitUntil("the key's use is recorded", within: .seconds(30)) {
                try await test.service.store.key(id: keyID)?.lastUsedAtMilliseconds != nil
            }
            #expect(try await test.service.store.key(id: keyID)?.revokedAtMilliseconds != nil)
        }
    }

    @Test("keys are random, of the documented form, and only their digest is stored")
    func keyForm() async throws {
        let first = APIKey.generate()
        let second = APIKey.generate()
        #expect(first.token != second.token && first.keyID != second.keyID)
        #expect(first.token.hasPrefix("ord_live_\(first.keyID)_"))
        let parsed = try #require(APIKey.parse(first.token))
        #expect(parsed.keyID == first.keyID)
        #expect(Base64URL.decode(parsed.secret)?.count == 32, "256 random bits")
        #expect(APIKey.digest(ofSecret: parsed.secret) == first.secretDigest)
        #expect(!first.secretDigest.contains(parsed.secret))
        #expect(APIKey.parse(first.token + "A") == nil)
        #expect(APIKey.parse(first.token.replacingOccurrences(of: "ord_live_", with: "ord_test_")) == nil)
        #expect(
            APIKey.constantTimeEquals("abc", "abc") && !APIKey.constantTimeEquals("abc", "abd")
                && !APIKey.constantTimeEquals("abc", "ab")
        )
    }
}
