import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Synchronization
import Testing

@testable import OrdersCore
@testable import OrdersService

@Suite("The credential cache and what a made-up key costs")
struct CredentialCacheTests {
    @Test("a verdict is kept for its lifetime, then forgotten")
    func lifetime() {
        var cache = CredentialCache(capacity: 4, lifetime: .seconds(5))
        let start = ContinuousClock.now
        cache.store(.refused, for: "a", at: start)
        #expect(cache.verdict(for: "a", at: start + .seconds(4)) != nil)
        #expect(cache.verdict(for: "a", at: start + .seconds(5)) == nil)
        #expect(cache.verdict(for: "b", at: start) == nil)
    }

    @Test("it never holds more than its capacity, forgetting the oldest first")
    func bounded() {
        var cache = CredentialCache(capacity: 100, lifetime: .seconds(60))
        let now = ContinuousClock.now
        for index in 0..<10_000 { cache.store(.refused, for: "made-up-\(index)", at: now) }
        #expect(cache.count == 100)
        #expect(cache.verdict(for: "made-up-9999", at: now) != nil)
        #expect(cache.verdict(for: "made-up-9900", at: now) != nil)
        #expect(cache.verdict(for: "made-up-9899", at: now) == nil)
        for _ in 0..<300 { cache.store(.refused, for: "made-up-9950", at: now) }
        #expect(cache.count <= 100, "storing one credential again and again takes one slot")
        #expect(cache.verdict(for: "made-up-9950", at: now) != nil)
    }

    @Test("an unknown key id and a known id with a wrong secret cost one store read each, then none")
    func unknownAndWrongSecretCostTheSame() async throws {
        let known = APIKey.generate()
        let store = CountingKeyStore(
            records: [
                known.keyID: APIKeyRecord(
                    keyID: known.keyID,
                    secretDigest: known.secretDigest,
                    customerID: "c-1",
                    label: "test",
                    createdAtMilliseconds: 0
                )
            ]
        )
        let router = Router(context: OrdersRequestContext.self)
        router.add(middleware: ProblemMiddleware())
        router.group("guarded").add(
            middleware: APIKeyAuthenticator(store: store, timeLimit: .seconds(10), cacheLifetime: .seconds(60))
        )
        .get { _, _ in "ok" }
        let wrongSecret = "ord_live_\(known.keyID)_" + Base64URL.encode(Array(repeating: 1, count: 32))
        let unknownID = APIKey.generate().token
        try await Application(router: router).test(.router) { client async throws in
            func status(_ token: String) async throws -> HTTPResponse.Status {
                try await client.execute(uri: "/guarded", method: .get, headers: [.authorization: "Bearer \(token)"])
                    .status
            }
            for (token, name) in [(unknownID, "unknown id"), (wrongSecret, "wrong secret")] {
                let before = store.reads
                #expect(try await status(token) == .unauthorized)
                #expect(store.reads == before + 1, "\(name): the first try asks the store")
                for _ in 0..<5 { #expect(try await status(token) == .unauthorized) }
                #expect(store.reads == before + 1, "\(name): later tries are answered from the cache")
            }
            let before = store.reads
            for _ in 0..<5 { #expect(try await status(known.token) == .ok) }
            #expect(store.reads == before + 1, "a valid key costs one read per cache lifetime")
        }
    }
}

/// Keys held in memory, counting how often one is read.
private final class CountingKeyStore: APIKeyStore {
    private let records: [String: APIKeyRecord]
    private let readCount = Atomic<Int>(0)

    init(records: [String: APIKeyRecord]) {
        self.records = records
    }

    var reads: Int { readCount.load(ordering: .relaxed) }

    func key(id keyID: String) async throws -> APIKeyRecord? {
        readCount.add(1, ordering: .relaxed)
        return records[keyID]
    }

    func insertKey(_ record: APIKeyRecord) async throws {}
    func allKeys() async throws -> [APIKeyRecord] { Array(records.values) }
    func revokeKey(id keyID: String, at time: Int64) async throws -> Bool { false }
    func touchKey(id keyID: String, at time: Int64) async throws {}
}
