public import HTTPTypes
public import Hummingbird

/// The paths the router serves and the methods each accepts, taken from the router once every route
/// is registered.
public struct RouteTable: Sendable {
    private let entries: [(segments: [Substring], template: String, methods: [HTTPRequest.Method])]

    /// Reads the routes of `router`.
    public init<Context>(router: Router<Context>) {
        var methodsByTemplate: [String: [HTTPRequest.Method]] = [:]
        for route in router.routes {
            methodsByTemplate[route.path.description, default: []].append(route.method)
        }
        entries = methodsByTemplate.keys.sorted().map { template in
            (template.split(separator: "/"), template, methodsByTemplate[template]!)
        }
    }

    /// The route template matching `path` and the methods it accepts, or nil for an unknown path.
    /// A `{parameter}` or `:parameter` segment matches any one segment.
    public func match(_ path: String) -> (template: String, methods: [HTTPRequest.Method])? {
        let segments = path.split(separator: "/")
        for entry in entries where entry.segments.count == segments.count {
            let matches = zip(entry.segments, segments).allSatisfy { pattern, segment in
                pattern.hasPrefix("{") || pattern.hasPrefix(":") || pattern == segment
            }
            if matches { return (entry.template, entry.methods) }
        }
        return nil
    }
}

/// Answers 405 with an `Allow` header when a known path is called with a method it does not serve
/// (any method, including ones this service has never heard of). The router on its own would answer
/// 404, which tells a client the resource does not exist.
public struct MethodNotAllowedMiddleware: RouterMiddleware {
    /// The context this middleware runs with.
    public typealias Context = OrdersRequestContext

    private let routes: SharedValue<RouteTable>

    /// Creates the middleware; `routes` is filled in once the router is complete.
    public init(routes: SharedValue<RouteTable>) {
        self.routes = routes
    }

    /// Turns the router's 404 for a known path into a 405.
    public func handle(
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
