import HTTPTypes
import Prometheus
import Synchronization

/// The service's own view of its traffic, labelled so a client cannot grow the number of series:
/// the route is the *template* (`/orders/{id}`), every unmatched path is `unmatched`, and methods outside
/// the standard set are `OTHER`.
///
/// `http_server_errors_total` counts what the service owes, and only that: the alarms and the on-call
/// page read it, so no client may move it. It is every 5xx but two that describe the request rather than
/// the service: 501 (a method the service implements for no resource) and 505 (an HTTP version it does
/// not speak). A client's own failures are 4xx (a body that stalls is 408), and a client that leaves in
/// the middle of its request is recorded as 499, nginx's "client closed request".
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

    /// Whether a response with `status` is the service's failure, counted in `http_server_errors_total`.
    static func isServiceFailure(status: Int) -> Bool {
        status >= 500 && status != 501 && status != 505
    }

    /// Records an answer written before any route saw the request (a head the parser refused): route
    /// `unmatched`, method `OTHER`, never in flight.
    func recordUnroutedAnswer(status: Int) {
        let series = self.series(for: SeriesKey(route: Self.unmatchedRoute, method: "OTHER", status: status))
        series.requests.increment()
        series.duration.record(.zero)
        series.errors?.increment()
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
                    help: "Requests answered, by route template, method and status (499: the client left first)."
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
            errors: Self.isServiceFailure(status: key.status)
                ? registry.makeCounter(
                    descriptor: .named(
                        "http_server_errors_total",
                        help:
                            "Requests the service failed: answered 5xx, but for 501 and 505, which describe the request."
                    ),
                    labels: labels
                ) : nil
        )
        series.withLock { $0[key] = created }
        return created
    }
}
