import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOEmbedded
import ServiceLifecycle
import Synchronization
import Testing

@testable import OrdersCore
@testable import OrdersService

/// The orders handlers take an ``AuthenticatedRequestContext``, which only a verified key makes: a
/// route mounted without ``APIKeyAuthenticator`` answers 401 to everyone, a valid key included, and its
/// handler never runs. (Handing ``OrdersRoutes`` a group of the plain context does not compile.)
@Suite("Orders routes fail closed")
struct FailClosedContextTests {
    /// Whether a handler ran, and who it was told called.
    final class Calls: Sendable {
        let count = Atomic<Int>(0)
    }

    @Test("routes mounted without the authenticator answer 401, never run, never log an error")
    func withoutAuthenticator() async throws {
        let calls = Calls()
        try await TestService.run(
            store: .sqlite,
            testRoutes: { router in
                // The real orders routes, and a handler of its own, both without the authenticator.
                OrdersRoutes(
                    store: NeverCalledStore(),
                    maxBodyBytes: 1024,
                    timeLimit: .seconds(10),
                    cursors: CursorKeyProvider(configuredKey: Array(repeating: 7, count: 32), store: NeverCalledStore())
                )
                .addRoutes(to: router.group("unguarded-orders", context: AuthenticatedRequestContext.self))
                router.group("unguarded", context: AuthenticatedRequestContext.self).get { _, context in
                    calls.count.add(1, ordering: .relaxed)
                    return context.caller.customerID ?? "every customer"
                }
            }
        ) { test in
            let (token, _) = try await test.createKey(customer: "c-1")
            try await test.withRouterClient { client async throws in
                // The same key works where the authenticator is in front.
                #expect(try await client.send(.get, "/orders", token: token).status == .ok)
                let requests: [(HTTPRequest.Method, String, String?)] = [
                    (.get, "/unguarded", nil), (.get, "/unguarded", token),
                    (.get, "/unguarded-orders", nil), (.get, "/unguarded-orders", token),
                    (.get, "/unguarded-orders/00000000-0000-0000-0000-000000000000", token),
                    (.post, "/unguarded-orders", token),
                ]
                for (method, path, presented) in requests {
                    let response = try await client.send(
                        method,
                        path,
                        token: presented,
                        json: method == .post ? orderJSON() : nil
                    )
                    #expect(response.status == .unauthorized, "\(method) \(path) with key: \(presented != nil)")
                    #expect(response.headers[.wwwAuthenticate] == #"Bearer realm="orders""#)
                    #expect(response.headers[.contentType] == "application/problem+json")
                }
            }
            #expect(calls.count.load(ordering: .relaxed) == 0, "no handler ran")
            #expect(!test.logs.lines.contains { $0.contains(#""level":"error""#) })
        }
    }

    @Test("an authenticated context cannot be made from a request whose key was not verified")
    func contextNeedsAVerifiedCaller() throws {
        let source = ApplicationRequestContextSource(
            channel: EmbeddedChannel(),
            logger: .init(label: "test")
        )
        let unauthenticated = OrdersRequestContext(source: source)
        #expect(unauthenticated.verifiedCaller == nil)
        #expect(throws: Problem.self) { try AuthenticatedRequestContext(context: unauthenticated) }
    }
}

/// A store no test path may reach: every call fails the test.
private struct NeverCalledStore: OrderStore {
    private func reached(_ function: String = #function) -> any Error {
        Issue.record("the store was called (\(function)) for an unauthenticated request")
        return TestFailure("unreachable")
    }

    func create(_ order: NewOrder, idempotency: IdempotencyClaim?) async throws -> OrderCreation { throw reached() }
    func order(id: String, customerID: String?) async throws -> Order? { throw reached() }
    func orders(customerID: String?, limit: Int, olderThan sequence: Int64?) async throws -> [Order] { throw reached() }
    func readiness() async -> StoreReadiness { .ready }
    var services: [any Service] { [] }
    func waitUntilReady(timeout: Duration) async {}
    func insertKey(_ record: APIKeyRecord) async throws { throw reached() }
    func key(id keyID: String) async throws -> APIKeyRecord? { throw reached() }
    func allKeys() async throws -> [APIKeyRecord] { throw reached() }
    func revokeKey(id keyID: String, at time: Int64) async throws -> Bool { throw reached() }
    func touchKey(id keyID: String, at time: Int64) async throws { throw reached() }
    func sharedSecret(named name: String, storingIfAbsent candidate: [UInt8]) async throws -> [UInt8] {
        throw reached()
    }
}
