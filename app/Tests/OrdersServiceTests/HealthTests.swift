import Foundation
import Logging
import Testing

@testable import OrdersCore
@testable import OrdersService

@Suite("Health routes")
struct HealthTests {
    @Test("a serving instance passes all three")
    func allPass() async throws {
        try await TestService.run(store: .sqlite) { test in
            try await test.withRouterClient { client async throws in
                for path in ["/health/live", "/health", "/health/ready"] {
                    let response = try await client.send(.get, path)
                    #expect(response.status == .ok, "\(path)")
                    #expect(try response.json["status"] as? String == "pass")
                    #expect(response.headers[.contentType] == "application/json")
                }
                let ready = try await client.send(.get, "/health/ready")
                let checks = try #require(try ready.json["checks"] as? [String: String])
                #expect(checks == ["process": "pass", "drain": "pass", "store": "pass"])
            }
        }
    }

    @Test("draining turns /health and /health/ready to 503; liveness stays 200")
    func draining() async throws {
        try await TestService.run(store: .sqlite) { test in
            test.service.drainState.beginDraining()
            try await test.withRouterClient { client async throws in
                #expect(try await client.send(.get, "/health/live").status == .ok)
                let health = try await client.send(.get, "/health")
                #expect(health.status == .serviceUnavailable)
                #expect(try (health.json["checks"] as? [String: String])?["drain"] == "fail")
                #expect(try await client.send(.get, "/health/ready").status == .serviceUnavailable)
            }
        }
    }

    @Test("with the database unreachable: live and /health 200, ready 503, orders 503 with Retry-After")
    func databaseDownAtStart() async throws {
        // A port nothing listens on: the service starts anyway and says so on the right routes.
        var settings = PostgresSettings()
        settings.port = 1
        settings.tls = .disable
        settings.connectTimeout = .milliseconds(200)
        // Long, so that an answer that waited on the database could not pass for a fast one.
        let queryTimeout: Duration = .seconds(10)
        settings.queryTimeout = queryTimeout
        let logs = InMemoryLogSink()
        let logger = Logger(label: "test") { StructuredLogHandler(label: $0, format: .json, level: .info, sink: logs) }
        let store = try PostgresOrderStore(settings: settings, logger: logger)
        let service = try await buildApplication(
            configuration: try TestService.configuration(),
            logger: logger,
            store: store,
            apiKeyCacheLifetime: .zero,
            testRoutes: nil
        )
        try await service.application.test(.router) { client async throws in
            #expect(try await client.send(.get, "/health/live").status == .ok)
            #expect(try await client.send(.get, "/health").status == .ok)
            let ready = try await client.send(.get, "/health/ready")
            #expect(ready.status == .serviceUnavailable)
            #expect(try (ready.json["checks"] as? [String: String])?["store"] == "fail")
            let clock = ContinuousClock()
            let start = clock.now
            let orders = try await client.send(
                .get,
                "/orders",
                token: "ord_live_0000000000000000_" + String(repeating: "A", count: 43)
            )
            let answered = clock.now - start
            #expect(answered < queryTimeout, "answered from readiness, not by a query's bound: \(answered)")
            #expect(orders.status == .serviceUnavailable)
            #expect(orders.headers[.retryAfter] == "2")
            #expect(orders.headers[.contentType] == "application/problem+json")
        }
    }

    @Test("other methods on health routes are 405 with Allow")
    func methodNotAllowed() async throws {
        try await TestService.run(store: .sqlite) { test in
            try await test.withRouterClient { client async throws in
                let response = try await client.send(.post, "/health")
                #expect(response.status == .methodNotAllowed)
                #expect(response.headers[.allow] == "GET, HEAD")
            }
        }
    }

    @Test("HEAD on every GET route answers as GET would, with its headers and no body")
    func head() async throws {
        try await TestService.run(store: .sqlite) { test in
            try await test.withRouterClient { client async throws in
                for path in ["/health/live", "/health", "/health/ready", "/metrics", "/openapi.yaml"] {
                    let get = try await client.send(.get, path)
                    let head = try await client.send(.head, path)
                    #expect(head.status == get.status, "\(path)")
                    #expect(head.headers[.contentType] == get.headers[.contentType], "\(path)")
                    #expect(head.body.readableBytes == 0, "\(path)")
                    if path != "/metrics" {
                        #expect(head.headers[.contentLength] == get.headers[.contentLength], "\(path)")
                    }
                }
            }
        }
    }
}
