import Hummingbird
import OrdersCore

/// The per-request state every route and middleware shares.
struct OrdersRequestContext: RequestContext {
    /// Hummingbird's own per-request storage (logger, route parameters, matched route).
    var coreContext: CoreRequestContextStorage
    /// Who is calling, once ``APIKeyAuthenticator`` has checked the `Authorization` header.
    var caller: Caller? {
        didSet { authenticatedKeyID.set(caller?.keyID) }
    }
    /// The caller's public key id, shared with the middleware that runs before authentication (contexts
    /// are values, so the access log would not otherwise see what a later middleware learned).
    let authenticatedKeyID = SharedValue<String>()

    /// Creates the context for a new request.
    init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
    }
}
