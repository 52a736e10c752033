import NIOCore
import NIOPosix
import NIOSSL
import Testing

@testable import AWSSecrets

/// The one-request HTTP client of the AWS calls answers within its deadline whatever the other end does.
@Suite("One HTTP exchange")
struct HTTPExchangeTests {
    private static func exchange(timeout: TimeAmount) throws -> HTTPExchange {
        HTTPExchange(
            tls: try NIOSSLContext(configuration: .makeClientConfiguration()),
            connectTimeout: .seconds(2),
            timeout: timeout,
            maximumResponseBytes: 1024
        )
    }

    private static func request(port: Int) throws -> HTTPExchange.Request {
        HTTPExchange.Request(
            method: .GET,
            url: try #require(URLParts("http://127.0.0.1:\(port)/credentials")),
            headers: [],
            body: []
        )
    }

    @Test("a server that accepts and never answers: a failure at the deadline, not a hang")
    func silentServer() async throws {
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { _ in MultiThreadedEventLoopGroup.singleton.any().makeSucceededVoidFuture() }
            .bind(host: "127.0.0.1", port: 0).get()
        defer { server.close(promise: nil) }
        let port = try #require(server.localAddress?.port)
        let clock = ContinuousClock()
        let started = clock.now
        await #expect {
            _ = try await Self.exchange(timeout: .milliseconds(300)).send(try Self.request(port: port))
        } throws: { error in
            String(describing: error).contains("no whole answer within")
        }
        let took = clock.now - started
        #expect(took >= .milliseconds(300))
        // The deadline plus the two seconds the tests allow any timer on a busy machine.
        #expect(took < .milliseconds(2300), "took \(took)")
    }

    @Test("nothing listening: a failure that names the address")
    func refused() async throws {
        let probe = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .bind(host: "127.0.0.1", port: 0).get()
        let port = try #require(probe.localAddress?.port)
        try await probe.close()
        await #expect {
            _ = try await Self.exchange(timeout: .seconds(5)).send(try Self.request(port: port))
        } throws: { error in
            String(describing: error).contains("cannot connect to 127.0.0.1:\(port)")
        }
    }
}
