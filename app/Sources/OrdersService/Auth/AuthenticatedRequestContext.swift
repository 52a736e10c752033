import Hummingbird
import OrdersCore

/// The context of the orders routes: a request whose API key has been verified, with its caller.
///
/// Hummingbird makes it from the request's ``OrdersRequestContext`` when a request reaches a route of a
/// group declared with it, and its initializer throws 401 when no ``VerifiedCaller`` is there. A handler
/// therefore cannot run for an unauthenticated request: mounted without ``APIKeyAuthenticator`` in front,
/// a route answers 401 to everyone rather than serving anyone as nobody (or as everybody).
struct AuthenticatedRequestContext: ChildRequestContext {
    /// The context it is made from.
    typealias ParentContext = OrdersRequestContext

    /// Hummingbird's own per-request storage, carried over from the parent.
    var coreContext: CoreRequestContextStorage
    /// Who is calling: never absent.
    let caller: Caller
    /// When the request arrived, for its time limit.
    let receivedAt: ContinuousClock.Instant

    /// The context of a request whose key was verified; 401 for any other.
    init(context: OrdersRequestContext) throws {
        guard let verified = context.verifiedCaller else {
            throw APIKeyAuthenticator.unauthorized(error: nil)
        }
        self.coreContext = context.coreContext
        self.caller = verified.caller
        self.receivedAt = context.receivedAt
    }
}
