import Hummingbird
import Logging
import OrdersCore
import Synchronization

/// Requires `Authorization: Bearer <API key>` on the routes it guards and sets ``OrdersRequestContext/caller``.
///
/// A missing, malformed, unknown or revoked key gets 401 with `WWW-Authenticate: Bearer`, and the same
/// body for each, so the answer reveals nothing about which keys exist. Valid keys are remembered for
/// ``cacheLifetime`` to spare the store a read per request; a revoked key (revoked with the `keys`
/// command, another process) stops working on every instance within that time.
final class APIKeyAuthenticator: RouterMiddleware, Sendable {
    /// The context this middleware runs with.
    typealias Context = OrdersRequestContext

    private struct CachedKey {
        let record: APIKeyRecord
        let fetchedAt: ContinuousClock.Instant
    }

    /// How often `last_used_at` is written for one key at most.
    static let touchInterval: Int64 = 60_000

    private let store: any APIKeyStore
    /// How long a verified key is trusted without asking the store again.
    let cacheLifetime: Duration
    private let cache = Mutex<[String: CachedKey]>([:])
    private let lastTouched = Mutex<[String: Int64]>([:])

    /// Creates the authenticator over `store`.
    init(store: any APIKeyStore, cacheLifetime: Duration = .seconds(5)) {
        self.store = store
        self.cacheLifetime = cacheLifetime
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
            let record = try await record(for: keyID),
            APIKey.constantTimeEquals(record.secretDigest, APIKey.digest(ofSecret: secret)),
            record.revokedAtMilliseconds == nil
        else {
            throw Self.unauthorized(error: "invalid_token")
        }
        var context = context
        context.caller = Caller(keyID: record.keyID, customerID: record.customerID)
        context.logger[metadataKey: "key_id"] = .string(record.keyID)
        touch(record.keyID, logger: context.logger)
        return try await next(request, context)
    }

    private func record(for keyID: String) async throws -> APIKeyRecord? {
        let now = ContinuousClock.now
        if let cached = cache.withLock({ $0[keyID] }), now - cached.fetchedAt < cacheLifetime {
            return cached.record
        }
        guard let record = try await store.key(id: keyID) else { return nil }
        cache.withLock { $0[keyID] = CachedKey(record: record, fetchedAt: now) }
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
