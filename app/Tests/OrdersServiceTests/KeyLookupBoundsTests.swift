import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Synchronization
import Testing

@testable import OrdersCore
@testable import OrdersService

/// What a key the cache does not know may cost: `REQUEST_TIMEOUT_SECONDS` bounds its store read as it
/// bounds the route, requests presenting one credential share one read, and made-up keys in any number
/// hold at most ``APIKeyAuthenticator/concurrentLookups`` store reads at a time.
@Suite("Key lookups are bounded")
struct KeyLookupBoundsTests {
    @Test("a store that stalls on the key lookup: 503 at the request's time limit, not a hung request")
    func stalledLookup() async throws {
        let limit = Duration.milliseconds(500)
        let released = Gate()
        try await TestService.run(
            store: .sqlite,
            environment: ["REQUEST_TIMEOUT_SECONDS": "0.5"],
            wrappingStore: { base in
                // Ignores cancellation, as a read stuck on a dead connection does, until the test ends.
                InterceptingStore(
                    base: base,
                    key: { _, _ in
                        await released.wait()
                        return nil
                    }
                )
            }
        ) { test in
            let (token, _) = try await test.createKey(customer: "c-1")
            try await test.withRouterClient { client async throws in
                let clock = ContinuousClock()
                let started = clock.now
                let response = try await client.send(.get, "/orders", token: token)
                let took = clock.now - started
                #expect(response.status == .serviceUnavailable)
                #expect(try response.json["type"] as? String == "urn:orders-service:problem:request-time-limit")
                #expect(response.headers[.retryAfter] == "1")
                #expect(took >= limit, "answered before the limit: \(took)")
                // The limit plus the two seconds the tests allow any timer on a busy machine.
                #expect(took < limit + .seconds(2), "the lookup held the request for \(took)")
            }
            released.open()
        }
    }

    @Test("made-up keys, many at once: at most two store reads at a time, each answered 401")
    func floodOfUnknownKeys() async throws {
        let store = SlowKeyStore(delay: .milliseconds(50))
        let statuses = try await Self.statuses(sendingAtOnce: (0..<24).map { _ in APIKey.generate().token }, to: store)
        #expect(statuses == Array(repeating: .unauthorized, count: 24))
        #expect(store.reads == 24, "each new credential is read once")
        #expect(store.mostAtOnce <= APIKeyAuthenticator.concurrentLookups, "reads at once: \(store.mostAtOnce)")
    }

    @Test("one unknown key sent many times at once: one store read")
    func sameKeyAtOnce() async throws {
        let store = SlowKeyStore(delay: .milliseconds(200))
        let token = APIKey.generate().token
        let statuses = try await Self.statuses(sendingAtOnce: Array(repeating: token, count: 16), to: store)
        #expect(statuses == Array(repeating: .unauthorized, count: 16))
        #expect(store.reads == 1)
    }

    /// Sends one request per token, all at once, to a route behind the authenticator (as the orders routes
    /// are) over `store`; the statuses.
    static func statuses(
        sendingAtOnce tokens: [String],
        to store: any APIKeyStore
    ) async throws -> [HTTPResponse.Status] {
        let router = Router(context: OrdersRequestContext.self)
        router.add(middleware: ProblemMiddleware())
        router.group("guarded").add(middleware: APIKeyAuthenticator(store: store, timeLimit: .seconds(10)))
            .group(context: AuthenticatedRequestContext.self)
            .get { _, context in context.caller.keyID }
        return try await Application(router: router).test(.router) { client async throws in
            try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                for token in tokens {
                    group.addTask {
                        try await client.execute(
                            uri: "/guarded",
                            method: .get,
                            headers: [.authorization: "Bearer \(token)"]
                        )
                        .status
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
        }
    }
}

/// A key store that knows no key and takes `delay` per read, recording how many reads overlapped.
private final class SlowKeyStore: APIKeyStore {
    private let delay: Duration
    private let counts = Mutex<(reads: Int, running: Int, mostAtOnce: Int)>((0, 0, 0))

    init(delay: Duration) {
        self.delay = delay
    }

    var reads: Int { counts.withLock { $0.reads } }
    var mostAtOnce: Int { counts.withLock { $0.mostAtOnce } }

    func key(id keyID: String) async throws -> APIKeyRecord? {
        counts.withLock { counts in
            counts.reads += 1
            counts.running += 1
            counts.mostAtOnce = max(counts.mostAtOnce, counts.running)
        }
        defer { counts.withLock { $0.running -= 1 } }
        try await Task.sleep(for: delay)
        return nil
    }

    func insertKey(_ record: APIKeyRecord) async throws {}
    func allKeys() async throws -> [APIKeyRecord] { [] }
    func revokeKey(id keyID: String, at time: Int64) async throws -> Bool { false }
    func touchKey(id keyID: String, at time: Int64) async throws {}
}
