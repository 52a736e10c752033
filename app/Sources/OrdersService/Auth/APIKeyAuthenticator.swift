import Hummingbird
import Logging
import OrdersCore
import Synchronization

/// Requires `Authorization: Bearer <API key>` on the routes it guards and sets ``OrdersRequestContext/caller``.
///
/// A missing, malformed, unknown or revoked key gets 401 with `WWW-Authenticate: Bearer`, and the same
/// body for each, so the answer reveals nothing about which keys exist; neither does its timing. The
/// store's verdict on a presented credential, valid or not, is remembered for ``cacheLifetime`` in a
/// ``CredentialCache`` keyed by the whole credential: an unknown key id and a known id with a wrong secret
/// both cost one store read the first time and none while remembered, and the secret's digest is compared
/// in constant time. Valid keys therefore cost no store read per request, repeated made-up keys none
/// either, and a revoked key (revoked with the `keys` command, another process) stops working on every
/// instance within ``cacheLifetime``.
final class APIKeyAuthenticator: RouterMiddleware, Sendable {
    /// The context this middleware runs with.
    typealias Context = OrdersRequestContext

    /// Most credentials remembered at once: about 2 MB, whatever a flood of made-up keys holds.
    static let cacheCapacity = 10_000

    /// How often `last_used_at` is written for one key at most.
    static let touchInterval: Int64 = 60_000

    private let store: any APIKeyStore
    /// How long the store's verdict on a credential is trusted without asking again.
    let cacheLifetime: Duration
    private let cache: Mutex<CredentialCache>
    private let lastTouched = Mutex<[String: Int64]>([:])

    /// Creates the authenticator over `store`.
    init(store: any APIKeyStore, cacheLifetime: Duration = .seconds(5), cacheCapacity: Int = cacheCapacity) {
        self.store = store
        self.cacheLifetime = cacheLifetime
        self.cache = Mutex(CredentialCache(capacity: cacheCapacity, lifetime: cacheLifetime))
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
            let record = try await verifiedRecord(keyID: keyID, secretDigest: APIKey.digest(ofSecret: secret))
        else {
            throw Self.unauthorized(error: "invalid_token")
        }
        var context = context
        context.caller = Caller(keyID: record.keyID, customerID: record.customerID)
        context.logger[metadataKey: "key_id"] = .string(record.keyID)
        touch(record.keyID, logger: context.logger)
        return try await next(request, context)
    }

    /// The record of a valid, unrevoked key with this id and secret digest, or nil; from the cache when
    /// the store's verdict on this very credential is recent.
    private func verifiedRecord(keyID: String, secretDigest: String) async throws -> APIKeyRecord? {
        let credential = keyID + ":" + secretDigest
        let now = ContinuousClock.now
        switch cache.withLock({ $0.verdict(for: credential, at: now) }) {
        case .valid(let record): return record
        case .refused: return nil
        case nil: break
        }
        let stored = try await store.key(id: keyID)
        let record = stored.flatMap { candidate in
            APIKey.constantTimeEquals(candidate.secretDigest, secretDigest) && candidate.revokedAtMilliseconds == nil
                ? candidate : nil
        }
        cache.withLock { $0.store(record.map { .valid($0) } ?? .refused, for: credential, at: now) }
        return record
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
        guard header.utf8.count <= 200 else { return nil }
        let parts = header.split(separator: " ", omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        return String(parts[1])
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
