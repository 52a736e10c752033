import Foundation
import Prometheus
import Testing

@testable import OrdersCore
@testable import OrdersService

@Suite("Metrics exposition")
struct MetricsTests {
    @Test("the exposition has request and process metrics with help and type lines")
    func exposition() async throws {
        try await TestService.run(store: .sqlite) { test in
            try await test.withRouterClient { client async throws in
                _ = try await client.send(.get, "/openapi.yaml")
                let response = try await client.send(.get, "/metrics")
                #expect(response.status == .ok)
                #expect(response.headers[.contentType]?.hasPrefix("text/plain; version=0.0.4") == true)
                let text = response.text
                for name in [
                    "http_server_requests_total", "http_server_request_duration_seconds",
                    "http_server_requests_in_flight",
                    "process_resident_memory_bytes", "process_cpu_seconds_total", "process_open_fds", "process_max_fds",
                    "process_start_time_seconds", "process_virtual_memory_bytes",
                ] {
                    #expect(text.contains("# HELP \(name) "), "\(name) has help text")
                    #expect(text.contains("# TYPE \(name) "), "\(name) has a type")
                }
                #expect(
                    text.contains(#"http_server_requests_total{route="/openapi.yaml",method="GET",status="200"} 1"#)
                )
                let resident = try #require(Self.value(of: "process_resident_memory_bytes", in: text))
                #expect(resident > 1_000_000)
                let start = try #require(Self.value(of: "process_start_time_seconds", in: text))
                #expect(abs(start - Date().timeIntervalSince1970) < 3600)
            }
        }
    }

    @Test("1,000 distinct unknown paths make one series, and route templates label known paths")
    func cardinalityIsBounded() async throws {
        try await TestService.run(store: .sqlite) { test in
            try await test.withRouterClient { client async throws in
                for index in 0..<1000 {
                    _ = try await client.send(.get, "/no/such/path/\(index)?q=\(index)")
                }
                let (token, _) = try await test.createKey(customer: "c-1")
                for _ in 0..<3 {
                    _ = try await client.send(.get, "/orders/\(UUID().uuidString.lowercased())", token: token)
                }
                _ = try await client.send(.get, "/orders/x", headers: [.init("X-Ignored")!: "1"])
                _ = try await client.executeRequest(uri: "/orders", method: .init("BREW")!, headers: [:], body: nil)
                let text = try await client.send(.get, "/metrics").text
                let series = text.split(separator: "\n").filter { $0.hasPrefix("http_server_requests_total{") }
                #expect(series.count <= 5, "\(series)")
                #expect(
                    series.contains {
                        $0.contains(#"route="unmatched",method="GET",status="404""#) && $0.hasSuffix(" 1000")
                    }
                )
                #expect(
                    series.contains {
                        $0.contains(#"route="/orders/{id}",method="GET",status="404""#) && $0.hasSuffix(" 3")
                    }
                )
                #expect(series.contains { $0.contains(#"method="OTHER""#) })
                #expect(!text.contains("/no/such/path"))
            }
        }
    }

    @Test("http_server_errors_total counts the 5xx the service owes: not 4xx, 499, 501 or 505")
    func errorsAreTheServicesOwn() {
        let registry = PrometheusCollectorRegistry()
        let metrics = RequestMetrics(registry: registry)
        for status in [200, 400, 408, 413, 431, 499, 501, 505, 500, 503, 503] {
            metrics.requestStarted()
            metrics.requestFinished(route: "/orders", method: .post, status: status, duration: .zero)
        }
        metrics.recordUnroutedAnswer(status: 501)
        let counted = String(decoding: registry.emitToBuffer(), as: UTF8.self).split(separator: "\n")
            .filter { $0.hasPrefix("http_server_errors_total{") }
        #expect(
            counted.sorted() == [
                #"http_server_errors_total{route="/orders",method="POST",status="500"} 1"#,
                #"http_server_errors_total{route="/orders",method="POST",status="503"} 2"#,
            ],
            "\(counted)"
        )
    }

    @Test("health probes and scrapes stay out of the request metrics and the access log")
    func quietRoutes() async throws {
        try await TestService.run(store: .sqlite) { test in
            try await test.withRouterClient { client async throws in
                for path in ["/health", "/health/live", "/health/ready", "/metrics"] {
                    _ = try await client.send(.get, path)
                }
                let text = try await client.send(.get, "/metrics").text
                #expect(!text.contains("route=\"/health"))
                #expect(!text.contains("route=\"/metrics"))
            }
            #expect(
                !test.logs.lines.contains { $0.contains("\"path\":\"/health") || $0.contains("\"path\":\"/metrics") }
            )
        }
    }

    @Test("with its own port, /metrics is not on the HTTP port")
    func separatePort() async throws {
        try await TestService.run(store: .sqlite, environment: ["METRICS_PORT": "9999"]) { test in
            #expect(test.service.metricsApplication != nil)
            try await test.withRouterClient { client async throws in
                #expect(try await client.send(.get, "/metrics").status == .notFound)
            }
        }
    }

    static func value(of metric: String, in text: String) -> Double? {
        text.split(separator: "\n").first { $0.hasPrefix(metric + " ") }
            .flatMap { Double($0.split(separator: " ")[1]) }
    }
}
