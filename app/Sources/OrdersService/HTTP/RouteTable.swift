import HTTPTypes
import Hummingbird

/// The paths the router serves and the methods each accepts, taken from the router once every route
/// is registered.
struct RouteTable: Sendable {
    private let entries: [(segments: [Substring], template: String, methods: [HTTPRequest.Method])]

    /// Reads the routes of `router`. Every path with GET also answers HEAD (the router generates it).
    init<Context>(router: Router<Context>) {
        var methodsByTemplate: [String: [HTTPRequest.Method]] = [:]
        for route in router.routes {
            methodsByTemplate[route.path.description, default: []].append(route.method)
            if route.method == .get {
                methodsByTemplate[route.path.description, default: []].append(.head)
            }
        }
        entries = methodsByTemplate.keys.sorted().map { template in
            (template.split(separator: "/"), template, methodsByTemplate[template]!)
        }
    }

    /// The route template matching `path` and the methods it accepts, or nil for an unknown path.
    /// A `{parameter}` or `:parameter` segment matches any one segment.
    func match(_ path: String) -> (template: String, methods: [HTTPRequest.Method])? {
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
