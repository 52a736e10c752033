import Hummingbird
import Logging
import OrdersCore
import Synchronization
import Tracing

/// Requires `Authorization: Bearer <API key>` on the routes it guards and sets
/// ``OrdersRequestContext/verifiedCaller``, from which ``AuthenticatedRequestContext`` is made.
///
/// A missing, malformed, unknown or revoked key gets 401 with `WWW-Authenticate: Bearer`, and the same
/// body for each, so the answer reveals nothing about which keys exist; neither does its timing. The
/// store's verdict on a presented credential, valid or not, is remembered for ``cacheLifetime`` in a
/// ``CredentialCache`` keyed by the whole credential: an unknown key id and a known id with a wrong secret
/// both cost one store read the first time and none while remembered, and the secret's digest is compared
/// in constant time. Valid keys therefore cost no store read per request, repeated made-up keys none
/// either, and a revoked key (revoked with the `keys` command, another process) stops working on every
/// instance within ``cacheLifetime``.
///
/// What a credential the cache does not know costs is bounded three ways: requests presenting the same
/// one at once share a single store read; at most ``concurrentLookups`` such reads run at a time, so a
/// flood of made-up keys holds at most that many of the store's connections; and the read, waiting for a
/// slot included, ends with the request's time limit (`REQUEST_TIMEOUT_SECONDS`, counted from the
/// request's arrival), which answers 503 whatever the store does.
final class APIKeyAuthenticator: RouterMiddleware, Sendable {
    /// The context this middleware runs with.
    typealias Context = OrdersRequestContext

    /// Most credentials remembered at once: about 2 MB, whatever a flood of made-up keys holds.
    static let cacheCapacity = 10_000

    /// Store reads for credentials the cache does not know, at most at once: two of the PostgreSQL pool's
    /// five connections (or SQLite's four readers), leaving the rest to orders.
    static let concurrentLookups = 2

    /// How often `last_used_at` is written for one key at most.
    static let touchInterval: Int64 = 60_000

    private let store: any APIKeyStore
    /// The request's time limit, which bounds the key lookup and the route together.
    let timeLimit: Duration
    /// How long the store's verdict on a credential is trusted without asking again.
    let cacheLifetime: Duration
    private let cache: Mutex<CredentialCache>
    private let lookups: Mutex<[String: Task<APIKeyRecord?, any Error>]> = Mutex([:])
    private let slots: KeyLookupSlots
    private let lastTouched = Mutex<[String: Int64]>([:])

    /// Creates the authenticator over `store`.
    init(
        store: any APIKeyStore,
        timeLimit: Duration,
        cacheLifetime: Duration = .seconds(5),
        cacheCapacity: Int = cacheCapacity,
        concurrentLookups: Int = concurrentLookups
    ) {
        self.store = store
        self.timeLimit = timeLimit
        self.cacheLifetime = cacheLifetime
        self.cache = Mutex(CredentialCache(capacity: cacheCapacity, lifetime: cacheLifetime))
        self.slots = KeyLookupSlots(count: concurrentLookups)
    }

    /// Checks the key, then calls the rest of the chain with the caller set.
    func handle(
        _ request: Request,
        context: Context,
        next: (Request, Context) async throws -> Response
    ) async throws
        -> Response
    {
        guard let header = request.headers[.authorization] else {
            throw Self.unauthorized(error: nil)
        }
        guard let token = Self.bearerToken(header), let (keyID, secret) = APIKey.parse(token),
            let record = try await withSpan(
                "api key lookup",
                { span in
                    try await verifiedRecord(
                        keyID: keyID,
                        secretDigest: APIKey.digest(ofSecret: secret),
                        deadline: context.receivedAt + timeLimit,
                        span: span
                    )
                }
            )
        else {
            throw Self.unauthorized(error: "invalid_token")
        }
        var context = context
        context.verifiedCaller = VerifiedCaller(Caller(keyID: record.keyID, customerID: record.customerID))
        context.logger[metadataKey: "key_id"] = .string(record.keyID)
        touch(record.keyID, logger: context.logger)
        return try await next(request, context)
    }

    /// The record of a valid, unrevoked key with this id and secret digest, or nil; from the cache when
    /// the store's verdict on this very credential is recent, otherwise from the one store read for it in
    /// progress, started here if there is none. 503 when `deadline` passes first. `span` records where
    /// the verdict came from (`orders.api_key.source`: `cache` or `store`).
    private func verifiedRecord(
        keyID: String,
        secretDigest: String,
        deadline: ContinuousClock.Instant,
        span: any Span
    ) async throws -> APIKeyRecord? {
        let credential = keyID + ":" + secretDigest
        let cached = cache.withLock({ $0.verdict(for: credential, at: .now) })
        span.attributes["orders.api_key.source"] = cached == nil ? "store" : "cache"
        switch cached {
        case .valid(let record): return record
        case .refused: return nil
        case nil: break
        }
        let lookup = lookup(credential: credential, keyID: keyID, secretDigest: secretDigest)
        return try await withDeadline(until: deadline, timeoutError: { Problem.requestTimeLimit }) {
            try await lookup.value
        }
    }

    /// The store read for `credential` in progress, or a new one. It runs in a task of its own, which
    /// outlives a request that gave up on it, takes a slot, remembers the verdict and then forgets itself.
    private func lookup(credential: String, keyID: String, secretDigest: String) -> Task<APIKeyRecord?, any Error> {
        lookups.withLock { lookups in
            if let running = lookups[credential] { return running }
            let task = Task { [store, slots] () async throws -> APIKeyRecord? in
                defer { self.lookups.withLock { $0[credential] = nil } }
                try await slots.acquire()
                defer { slots.release() }
                let stored = try await store.key(id: keyID)
                let record = stored.flatMap { candidate in
                    APIKey.constantTimeEquals(candidate.secretDigest, secretDigest)
                        && candidate.revokedAtMilliseconds == nil ? candidate : nil
                }
                self.cache.withLock { $0.store(record.map { .valid($0) } ?? .refused, for: credential, at: .now) }
                return record
            }
            lookups[credential] = task
            return task
        }
    }

    /// Writes `last_used_at` at most once a minute per key and per process, off the request's path.
    private func touch(_ keyID: String, logger: Logger) {
        let now = UTCTimestamp.nowMilliseconds()
        let due = lastTouched.withLock { touched -> Bool in
            if let last = touched[keyID], now - last < Self.touchInterval { return false }
            touched[keyID] = now
            return true
        }
        guard due else { return }
        let store = self.store
        Task {
            do {
                try await store.touchKey(id: keyID, at: now)
            } catch {
                logger.debug("could not record key use", metadata: ["error": .string("\(type(of: error))")])
            }
        }
    }

    /// The token of `Bearer <token>` (the scheme is case-insensitive), or nil.
    static func bearerToken(_ header: String) -> String? {
        let bytes = header.utf8
        guard bytes.count <= 200 else { return nil }
        var rest = bytes[...].drop { $0 == UInt8(ascii: " ") }
        let scheme = rest.prefix { $0 != UInt8(ascii: " ") }
        // ASCII letters compare case-insensitively with their 0x20 bit set.
        guard scheme.count == 6, zip(scheme, "bearer".utf8).allSatisfy({ $0 | 0x20 == $1 }) else { return nil }
        rest = rest.dropFirst(6).drop { $0 == UInt8(ascii: " ") }
        let token = rest.prefix { $0 != UInt8(ascii: " ") }
        guard !token.isEmpty, rest.dropFirst(token.count).allSatisfy({ $0 == UInt8(ascii: " ") }) else { return nil }
        return String(Substring(token))
    }

    static func unauthorized(error: String?) -> Problem {
        let challenge = error.map { "Bearer realm=\"orders\", error=\"\($0)\"" } ?? "Bearer realm=\"orders\""
        return Problem(
            .unauthorized,
            detail: "Send a valid API key as Authorization: Bearer <key>.",
            headers: [.wwwAuthenticate: challenge]
        )
    }
}

/// A caller whose API key ``APIKeyAuthenticator`` verified. Its initializer is private to this file, so
/// no other code can put a caller into a request.
struct VerifiedCaller: Sendable {
    /// The caller.
    let caller: Caller

    fileprivate init(_ caller: Caller) {
        self.caller = caller
    }
}
