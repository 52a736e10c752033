import Foundation
import Hummingbird
import Testing

@testable import OrdersService

#if canImport(Glibc)
import Glibc
#endif

/// The graceful drain on a live server with a real SIGTERM. The signal reaches the whole test process,
/// so `make swift-test` runs this suite in a process of its own (`--filter DrainTests`) and every other
/// suite without it.
@Suite(
    "Graceful drain on SIGTERM",
    .serialized,
    .enabled(
        if: ProcessInfo.processInfo.environment["ORDERS_DRAIN_TEST"] == "1",
        "sends SIGTERM to the whole test process: make swift-test runs it in a process of its own (ORDERS_DRAIN_TEST=1)"
    )
)
struct DrainTests {
    static let slowRoute = "/test/slow"

    @Test("a request in flight when SIGTERM arrives completes; health reads 503 during the drain; the run ends cleanly")
    func drainOnSIGTERM() async throws {
        let port = freePort()
        try await TestService.run(
            store: .sqlite,
            environment: ["HTTP_PORT": "\(port)", "DRAIN_DELAY_SECONDS": "1.5", "SHUTDOWN_TIMEOUT_SECONDS": "5"],
            testRoutes: { router in
                // Exists only in this test target: the shipped routes answer 404 here (see ProblemTests).
                router.get(RouterPath(stringLiteral: Self.slowRoute)) { _, _ -> String in
                    try await Task.sleep(for: .seconds(2.5))
                    return "done"
                }
            }
        ) { test in
            let clock = ContinuousClock()
            let runner = Task { try await ServiceRunner.run(test.service, signals: [.sigterm]) }
            try await waitUntilServing(port: port)

            let slowConnection = try RawHTTPConnection(port: port)
            let slow = Task { try await slowConnection.get(Self.slowRoute) }
            try await Task.sleep(for: .milliseconds(300))

            let signalledAt = clock.now
            kill(getpid(), SIGTERM)
            try await Task.sleep(for: .milliseconds(200))

            let health = try await RawHTTPConnection(port: port).get("/health", keepAlive: false)
            #expect(health.status == 503, "the load balancer's check fails during the drain")
            let ready = try await RawHTTPConnection(port: port).get("/health/ready", keepAlive: false)
            #expect(ready.status == 503)
            let live = try await RawHTTPConnection(port: port).get("/health/live", keepAlive: false)
            #expect(live.status == 200, "still live, still serving")

            let slowReply = try await slow.value
            #expect(slowReply.status == 200)
            #expect(slowReply.body == "done")

            let outcome = try await runner.value
            let stoppedAfter = clock.now - signalledAt
            #expect(outcome == .stoppedCleanly, "the process would exit 0")
            #expect(stoppedAfter >= .milliseconds(1500), "served through the drain delay")
            #expect(stoppedAfter < .milliseconds(6500), "within drain + shutdown bound, took \(stoppedAfter)")
            #expect((try? RawHTTPConnection(port: port, timeoutSeconds: 1)) == nil, "no longer accepting")
            #expect(test.logs.lines.contains { $0.contains("stop signal received") })
        }
    }
}
