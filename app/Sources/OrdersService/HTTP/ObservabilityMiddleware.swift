import Hummingbird
import Logging

/// Writes the access log line and the request metrics of every request except health probes and metric
/// scrapes, which would otherwise drown both in load-balancer noise.
struct ObservabilityMiddleware: RouterMiddleware {
    /// The context this middleware runs with.
    typealias Context = OrdersRequestContext

    /// Paths kept out of the access log and the request metrics.
    static let quietPaths: Set<String> = ["/health", "/health/live", "/health/ready", "/metrics"]
    /// Longest path written to the log; a hostile client may send much longer ones.
    static let maximumLoggedPathLength = 256

    private let metrics: RequestMetrics

    /// Creates the middleware recording into `metrics`.
    init(metrics: RequestMetrics) {
        self.metrics = metrics
    }

    /// Times the request and records it once the response exists.
    func handle(
        _ request: Request,
        context: Context,
        next: (Request, Context) async throws -> Response
    ) async throws
        -> Response
    {
        let path = request.uri.path
        if Self.quietPaths.contains(path) {
            return try await next(request, context)
        }
        let clock = ContinuousClock()
        let start = clock.now
        metrics.requestStarted()
        let status: Int
        let response: Response
        do {
            response = try await next(request, context)
            status = response.status.code
        } catch {
            // Errors are turned into responses further in; this only keeps the gauge honest if one escapes.
            metrics.requestFinished(
                route: Self.route(context),
                method: request.method,
                status: 500,
                duration: clock.now - start
            )
            throw error
        }
        let duration = clock.now - start
        let route = Self.route(context)
        metrics.requestFinished(route: route, method: request.method, status: status, duration: duration)
        var metadata: Logger.Metadata = [
            "method": .string(request.method.rawValue),
            "route": .string(route),
            "path": .string(String(path.prefix(Self.maximumLoggedPathLength))),
            "status": .stringConvertible(status),
            "duration_ms": .stringConvertible(Self.milliseconds(duration)),
        ]
        if let keyID = context.authenticatedKeyID.value {
            metadata["key_id"] = .string(keyID)
        }
        if response.status == ClientClosedRequest.status {
            metadata["outcome"] = "client_closed"
        }
        context.logger.info("request", metadata: metadata)
        return response
    }

    /// The matched route template; every path that matched none (Hummingbird names those `NotFound`)
    /// is one label.
    static func route(_ context: Context) -> String {
        guard let path = context.endpointPath, path != "NotFound" else { return RequestMetrics.unmatchedRoute }
        return path
    }

    private static func milliseconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        let microseconds = Double(seconds) * 1_000_000 + Double(attoseconds / 1_000_000_000_000)
        return (microseconds).rounded() / 1000
    }
}
