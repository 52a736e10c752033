import HTTPTypes
import Hummingbird

/// Answers 405 with an `Allow` header when a known path is called with a method it does not serve
/// (any method, including ones this service has never heard of). The router on its own would answer
/// 404, which tells a client the resource does not exist.
struct MethodNotAllowedMiddleware: RouterMiddleware {
    /// The context this middleware runs with.
    typealias Context = OrdersRequestContext

    private let routes: SharedValue<RouteTable>

    /// Creates the middleware; `routes` is filled in once the router is complete.
    init(routes: SharedValue<RouteTable>) {
        self.routes = routes
    }

    /// Turns the router's 404 for a known path into a 405.
    func handle(
        _ request: Request,
        context: Context,
        next: (Request, Context) async throws -> Response
    ) async throws
        -> Response
    {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound {
            guard let (template, methods) = routes.value?.match(request.uri.path), !methods.contains(request.method)
            else { throw error }
            // Label the request with its route, as if it had matched, so metrics group it there.
            context.coreContext.endpointPath.value = template
            let allow = methods.map(\.rawValue).joined(separator: ", ")
            throw Problem(.methodNotAllowed, detail: "This path accepts \(allow).", headers: [.allow: allow])
        }
    }
}
