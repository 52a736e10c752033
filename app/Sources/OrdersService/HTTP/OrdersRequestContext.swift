import Hummingbird
import OrdersCore

/// The per-request state every route and middleware shares.
///
/// The orders routes do not run with it: they run with ``AuthenticatedRequestContext``, made from it only
/// once ``APIKeyAuthenticator`` has verified a key, so a handler never sees a request without a caller.
struct OrdersRequestContext: RequestContext {
    /// Hummingbird's own per-request storage (logger, route parameters, matched route).
    var coreContext: CoreRequestContextStorage
    /// When the request arrived: `REQUEST_TIMEOUT_SECONDS` counts from here, for the key lookup and the
    /// route together.
    let receivedAt: ContinuousClock.Instant
    /// The caller whose key ``APIKeyAuthenticator`` verified; only the authenticator can make one.
    var verifiedCaller: VerifiedCaller? {
        didSet { authenticatedKeyID.set(verifiedCaller?.caller.keyID) }
    }
    /// The caller's public key id, shared with the middleware that runs before authentication (contexts
    /// are values, so the access log would not otherwise see what a later middleware learned).
    let authenticatedKeyID = SharedValue<String>()

    /// Creates the context for a new request.
    init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.receivedAt = .now
    }
}
