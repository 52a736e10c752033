import Prometheus

/// The connection limit's metrics: open connections, the limit, and the connections shed to keep it.
///
/// They are not request metrics, so their names leave out `http_server_` (the request metrics the
/// collector sidecar publishes to CloudWatch); they are scraped with the rest of `/metrics`.
final class ConnectionMetrics: Sendable {
    private let open: Gauge
    private let closedIdle: Counter
    private let refused: Counter

    /// Registers the metrics in `registry`, with `limit` as the limit's value.
    init(registry: PrometheusCollectorRegistry, limit: Int) {
        open = registry.makeGauge(
            descriptor: .named("http_connections_open", help: "Client connections open now.")
        )
        let limitGauge = registry.makeGauge(
            descriptor: .named(
                "http_connections_limit",
                help: "Most client connections held at once (HTTP_MAX_CONNECTIONS, or derived from memory)."
            )
        )
        limitGauge.set(Double(limit))
        let shedHelp = "Connections shed at the limit: the oldest idle one closed, or a new one refused."
        closedIdle = registry.makeCounter(
            descriptor: .named("http_connections_shed_total", help: shedHelp),
            labels: [("action", "closed_idle")]
        )
        refused = registry.makeCounter(
            descriptor: .named("http_connections_shed_total", help: shedHelp),
            labels: [("action", "refused")]
        )
    }

    /// Records the number of open connections.
    func opened(count: Int) {
        open.set(Double(count))
    }

    /// Counts an idle connection closed to admit a new one.
    func closedIdleConnection() {
        closedIdle.increment()
    }

    /// Counts a new connection refused because every held one was busy.
    func refusedConnection() {
        refused.increment()
    }
}
