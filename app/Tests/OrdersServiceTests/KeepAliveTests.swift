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
        let idleTimeout: Duration = .seconds(1)
        try await TestService.run(
            store: .sqlite,
            environment: ["HTTP_PORT": "\(port)", "HTTP_IDLE_TIMEOUT_SECONDS": "\(idleTimeout.components.seconds)"]
        ) { test in
            let server = Task { try await test.service.application.runService(gracefulShutdownSignals: []) }
            defer { server.cancel() }
            try await waitUntilServing(port: port)

            let connection = try RawHTTPConnection(port: port)
            #expect(try await connection.get("/health").status == 200)
            // The last exchange on the connection starts here: the server's idle timer cannot start earlier.
            let clock = ContinuousClock()
            let lastRequest = clock.now
            #expect(try await connection.get("/health").status == 200, "kept open between requests")
            let generousDeadline = 30
            #expect(await connection.waitForClose(seconds: generousDeadline), "the server closed the idle connection")
            let idle = clock.now - lastRequest
            #expect(idle >= idleTimeout, "kept for the whole idle timeout, closed after \(idle)")
        }
    }
}
