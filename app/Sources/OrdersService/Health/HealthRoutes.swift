import Hummingbird
import OrdersCore

/// The three health routes, each with its own job:
///
/// - `GET /health/live`: the process serves. Container health checks use it; it never fails while the
///   server runs, so a slow dependency never gets a task killed.
/// - `GET /health`: live and not draining. The load balancer's target health check. It deliberately
///   ignores the database: if it did not, a database outage would fail every task's check and ECS would
///   replace them all, again and again, while the order routes can answer fast 503s themselves.
/// - `GET /health/ready`: live, not draining, and the store answers. For operators, dashboards and drills.
///
/// Bodies are small JSON objects: `{"status":"pass","checks":{...}}`, with 200 or 503.
struct HealthRoutes: Sendable {
    let drain: DrainState
    let store: any OrderStore

    /// Creates the routes over the drain state and the store.
    init(drain: DrainState, store: any OrderStore) {
        self.drain = drain
        self.store = store
    }

    /// The answers of a serving, undrained process, built once: the load balancer and the container
    /// check ask for them every few seconds, and benchmarks thousands of times a second.
    private static let live = response(checks: [("process", true)])
    private static let serving = response(checks: [("process", true), ("drain", true)])

    /// Adds the three routes to `router`.
    func addRoutes(to router: Router<OrdersRequestContext>) {
        router.get("/health/live") { _, _ in
            Self.live
        }
        router.get("/health") { _, _ in
            drain.isDraining ? Self.response(checks: [("process", true), ("drain", false)]) : Self.serving
        }
        router.get("/health/ready") { _, _ in
            let readiness = await store.readiness()
            return Self.response(
                checks: [("process", true), ("drain", !drain.isDraining), ("store", readiness.isReady)],
                detail: readiness.reason
            )
        }
    }

    static func response(checks: [(name: String, passed: Bool)], detail: String? = nil) -> Response {
        let healthy = checks.allSatisfy(\.passed)
        var body = "{\"status\":\"\(healthy ? "pass" : "fail")\",\"checks\":{"
        for (index, check) in checks.enumerated() {
            if index > 0 { body += "," }
            body += "\"\(check.name)\":\"\(check.passed ? "pass" : "fail")\""
        }
        body += "}"
        if let detail, !healthy {
            body += ",\"detail\":"
            JSONText.appendString(detail, to: &body)
        }
        body += "}"
        return Response(
            status: healthy ? .ok : .serviceUnavailable,
            headers: [.contentType: "application/json", .cacheControl: "no-store"],
            body: .init(byteBuffer: ByteBuffer(string: body))
        )
    }
}
