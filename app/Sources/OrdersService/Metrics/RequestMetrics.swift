import HTTPTypes
import Prometheus
import Synchronization

/// The service's own view of its traffic, labelled so a client cannot grow the number of series:
/// the route is the *template* (`/orders/{id}`), every unmatched path is `unmatched`, and methods outside
/// the standard set are `OTHER`.
final class RequestMetrics: Sendable {
    /// Label of every request that matched no route.
    static let unmatchedRoute = "unmatched"

    /// Histogram buckets, in seconds: sub-millisecond to multi-second.
    static let durationBuckets: [Duration] = [
        .microseconds(250), .microseconds(500), .milliseconds(1), .microseconds(2500), .milliseconds(5),
        .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250),
        .milliseconds(500), .seconds(1), .microseconds(2_500_000), .seconds(5), .seconds(10),
    ]

    private static let knownMethods: Set<HTTPRequest.Method> = [
        .get, .head, .post, .put, .patch, .delete, .options,
    ]

    private struct SeriesKey: Hashable {
        let route: String
        let method: String
        let status: Int
    }

    private struct Series: Sendable {
        let requests: Counter
        let duration: DurationHistogram
        let errors: Counter?
    }

    private let registry: PrometheusCollectorRegistry
    private let inFlight: Gauge
    private let series = Mutex<[SeriesKey: Series]>([:])

    /// Registers the request metrics in `registry`.
    init(registry: PrometheusCollectorRegistry) {
        self.registry = registry
        self.inFlight = registry.makeGauge(
            descriptor: .named(
                "http_server_requests_in_flight",
                help: "Requests being handled right now (health and metrics routes excluded)."
            )
        )
    }

    /// The label for `method`.
    static func methodLabel(_ method: HTTPRequest.Method) -> String {
        knownMethods.contains(method) ? method.rawValue : "OTHER"
    }

    /// Marks a request as started.
    func requestStarted() {
        inFlight.increment()
    }

    /// Records a finished request and marks it as no longer in flight.
    func requestFinished(route: String, method: HTTPRequest.Method, status: Int, duration: Duration) {
        inFlight.decrement()
        let key = SeriesKey(route: route, method: Self.methodLabel(method), status: status)
        let series = self.series(for: key)
        series.requests.increment()
        series.duration.record(duration)
        series.errors?.increment()
    }

    private func series(for key: SeriesKey) -> Series {
        if let existing = series.withLock({ $0[key] }) { return existing }
        let labels = [("route", key.route), ("method", key.method), ("status", String(key.status))]
        let created = Series(
            requests: registry.makeCounter(
                descriptor: .named(
                    "http_server_requests_total",
                    help: "Requests answered, by route template, method and status."
                ),
                labels: labels
            ),
            duration: registry.makeDurationHistogram(
                descriptor: .named(
                    "http_server_request_duration_seconds",
                    help: "Time from receiving a request to handing back its response."
                ),
                labels: labels,
                buckets: Self.durationBuckets
            ),
            errors: key.status >= 500
                ? registry.makeCounter(
                    descriptor: .named("http_server_errors_total", help: "Requests answered with a 5xx status."),
                    labels: labels
                ) : nil
        )
        series.withLock { $0[key] = created }
        return created
    }
}
