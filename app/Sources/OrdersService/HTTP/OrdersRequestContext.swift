public import Hummingbird

/// The per-request state every route and middleware shares.
public struct OrdersRequestContext: RequestContext {
    /// Hummingbird's own per-request storage (logger, route parameters, matched route).
    public var coreContext: CoreRequestContextStorage
    /// The request's correlation id: the caller's `X-Request-Id` or the load balancer's trace id when they
    /// are well-formed, else a new one. Set by ``RequestIDMiddleware`` before anything else runs.
    public var requestID: String = ""
    /// Who is calling, once ``APIKeyAuthenticator`` has checked the `Authorization` header.
    public var caller: Caller? {
        didSet { authenticatedKeyID.set(caller?.keyID) }
    }
    /// The caller's public key id, shared with the middleware that runs before authentication (contexts
    /// are values, so the access log would not otherwise see what a later middleware learned).
    public let authenticatedKeyID = SharedValue<String>()

    /// Creates the context for a new request.
    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
    }
}
