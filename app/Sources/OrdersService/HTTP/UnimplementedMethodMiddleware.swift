import HTTPTypes
import Hummingbird

/// Answers 501 Not Implemented to a method this service implements for no resource at all, as RFC 9110
/// asks of an origin server (section 9.1; section 15.6.2): a method it does not recognise (`PROPFIND`,
/// `BREW`) and `CONNECT`, which asks a proxy for a tunnel and names no resource of this service. A
/// recognised method a path does not allow gets 405 from ``MethodNotAllowedMiddleware`` instead.
///
/// Method tokens the HTTP parser does not know at all never reach a route; ``HTTP1ConnectionHandler``
/// gives them the same answer.
struct UnimplementedMethodMiddleware: RouterMiddleware {
    /// The context this middleware runs with.
    typealias Context = OrdersRequestContext

    /// Methods whose meaning the service knows: those RFC 9110 defines (but `CONNECT`), `PATCH` (RFC 5789)
    /// and `QUERY` (the IETF's safe method with a body). A path that does not allow one answers 405.
    static let recognisedMethods: Set<HTTPRequest.Method> = [
        .get, .head, .post, .put, .delete, .options, .trace, .patch, HTTPRequest.Method("QUERY")!,
    ]

    /// Creates the middleware.
    init() {}

    /// Refuses an unimplemented method before anything else looks at the request.
    func handle(
        _ request: Request,
        context: Context,
        next: (Request, Context) async throws -> Response
    ) async throws
        -> Response
    {
        guard Self.recognisedMethods.contains(request.method) else {
            throw Problem.methodNotImplemented(request.method.rawValue)
        }
        return try await next(request, context)
    }
}

extension Problem {
    /// 501 for `method` (nil when the parser could not read one), with `Connection: close`: a `CONNECT`
    /// client may already be sending tunnel bytes that are not HTTP.
    static func methodNotImplemented(_ method: String?) -> Problem {
        let named = method.map { "\($0) is" } ?? "The request method is"
        return Problem(
            .notImplemented,
            type: "urn:orders-service:problem:method-not-implemented",
            detail: "\(named) not implemented by this service for any resource; it serves GET, HEAD and POST.",
            headers: [.connection: "close"]
        )
    }
}
