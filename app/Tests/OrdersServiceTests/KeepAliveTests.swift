import Foundation
import Testing

@testable import OrdersCore
@testable import OrdersService

@Suite("Keep-alive idle timeout")
struct KeepAliveTests {
    @Test("the default outlasts the load balancer's 60 s idle timeout")
    func defaultIsLongerThanTheLoadBalancers() throws {
        #expect(try TestService.configuration().idleTimeout > .seconds(60))
    }

    @Test("an idle connection is kept until the timeout, then closed by the server")
    func idleConnectionIsClosedAfterTheTimeout() async throws {
        let port = freePort()
        try await TestService.run(
            store: .sqlite,
            environment: ["HTTP_PORT": "\(port)", "HTTP_IDLE_TIMEOUT_SECONDS": "1"]
        ) { test in
            let server = Task { try await test.service.application.runService(gracefulShutdownSignals: []) }
            defer { server.cancel() }
            try await waitUntilServing(port: port)

            let connection = try RawHTTPConnection(port: port)
            #expect(try await connection.get("/health").status == 200)
            try await Task.sleep(for: .milliseconds(400))
            #expect(try await connection.get("/health").status == 200, "still open before the timeout")
            let clock = ContinuousClock()
            let start = clock.now
            #expect(await connection.waitForClose(seconds: 5), "the server closed the idle connection")
            let waited = clock.now - start
            #expect(waited >= .milliseconds(800) && waited < .seconds(3), "closed after about 1 s, took \(waited)")
        }
    }
}
