import Hummingbird
import Prometheus

/// Serves the registry in the Prometheus text format at `GET /metrics`.
struct MetricsEndpoint: Sendable {
    /// Path of the exposition.
    static let path = "/metrics"

    /// The registry that holds every metric of the process.
    let registry: PrometheusCollectorRegistry
    /// Refreshed before each exposition.
    let processMetrics: ProcessMetrics

    /// Creates the endpoint.
    init(registry: PrometheusCollectorRegistry, processMetrics: ProcessMetrics) {
        self.registry = registry
        self.processMetrics = processMetrics
    }

    /// Adds `GET /metrics` to `router`.
    func addRoutes<Context: RequestContext>(to router: Router<Context>) {
        router.get(RouterPath(stringLiteral: Self.path)) { _, _ -> Response in
            processMetrics.update()
            let bytes = registry.emitToBuffer()
            return Response(
                status: .ok,
                headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8", .cacheControl: "no-store"],
                body: .init(byteBuffer: ByteBuffer(bytes: bytes))
            )
        }
    }
}
