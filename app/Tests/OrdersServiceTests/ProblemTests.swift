import HTTPTypes
import Hummingbird
import Testing

@testable import OrdersCore
@testable import OrdersService

/// An error that carries internals which must never reach a client.
private struct LeakyError: Error, CustomStringConvertible {
    var description: String { "SELECT secret FROM internal_table at /srv/app/Sources/Secret.swift:42" }
}

@Suite("Problem responses")
struct ProblemTests {
    @Test("an unknown route is a 404 problem")
    func notFound() async throws {
        try await TestService.run(store: .sqlite) { test in
            try await test.withRouterClient { client async throws in
                let response = try await client.send(.get, "/does-not-exist")
                #expect(response.status == .notFound)
                #expect(response.headers[.contentType] == "application/problem+json")
                let body = try response.json
                #expect(body["status"] as? Int == 404)
                #expect(body["type"] as? String == "about:blank")
                #expect(body["title"] as? String == "Not Found")
                #expect(body["instance"] as? String == "/does-not-exist")
            }
        }
    }

    @Test(
        "a recognised method a path does not allow is a 405 problem with Allow",
        arguments: [HTTPRequest.Method.put, .delete, .patch, .trace, .options, HTTPRequest.Method("QUERY")!]
    )
    func methodNotAllowed(method: HTTPRequest.Method) async throws {
        try await TestService.run(store: .sqlite) { test in
            try await test.withRouterClient { client async throws in
                let response = try await client.send(method, "/orders")
                #expect(response.status == .methodNotAllowed)
                #expect(response.headers[.allow] == "GET, HEAD, POST")
                #expect(try response.json["status"] as? Int == 405)
                let one = try await client.send(method, "/orders/00000000-0000-0000-0000-000000000000")
                #expect(one.headers[.allow] == "GET, HEAD")
            }
        }
    }

    @Test(
        "a method the service implements for no resource is a 501 problem that closes the connection",
        arguments: ["BREW", "PROPFIND", "CONNECT", "get"]
    )
    func methodNotImplemented(token: String) async throws {
        try await TestService.run(store: .sqlite) { test in
            try await test.withRouterClient { client async throws in
                for path in ["/orders", "/health", "/does-not-exist"] {
                    let response = try await client.send(try #require(HTTPRequest.Method(token)), path)
                    #expect(response.status == .notImplemented, "\(token) \(path)")
                    #expect(response.headers[.connection] == "close")
                    #expect(response.headers[.allow] == nil)
                    #expect(try response.json["type"] as? String == "urn:orders-service:problem:method-not-implemented")
                }
            }
        }
    }

    @Test("an unexpected error is a bare 500; the details go only to the log, under the request id")
    func internalErrorHidesInternals() async throws {
        try await TestService.run(
            store: .sqlite,
            testRoutes: { router in
                router.get("/test/failure") { _, _ -> Response in throw LeakyError() }
            }
        ) { test in
            try await test.withRouterClient { client async throws in
                let response = try await client.send(.get, "/test/failure")
                #expect(response.status == .internalServerError)
                #expect(response.headers[.contentType] == "application/problem+json")
                for leak in ["SELECT", "internal_table", "/srv/app", ".swift", "LeakyError"] {
                    #expect(!response.text.contains(leak), "body leaks \(leak)")
                }
                let requestID = try #require(response.headers[HTTPField.Name("X-Request-Id")!])
                #expect(
                    test.logs.lines.contains {
                        $0.contains("SELECT secret FROM internal_table") && $0.contains(requestID)
                    },
                    "the log has the details and the request id"
                )
            }
        }
    }

    @Test("a cancelled request is 503 with Retry-After, logged at notice and never as an error")
    func cancelledRequest() async throws {
        try await TestService.run(
            store: .sqlite,
            testRoutes: { router in
                router.get("/test/cancelled") { _, _ -> Response in throw CancellationError() }
            }
        ) { test in
            try await test.withRouterClient { client async throws in
                let response = try await client.send(.get, "/test/cancelled")
                #expect(response.status == .serviceUnavailable)
                #expect(response.headers[.retryAfter] == "1")
                #expect(try response.json["type"] as? String == "urn:orders-service:problem:request-cancelled")
            }
            #expect(!test.logs.lines.contains { $0.contains(#""level":"error""#) })
            #expect(test.logs.lines.contains { $0.contains("request cancelled") && $0.contains(#""level":"notice""#) })
        }
    }

    @Test("the shipped routes have no test routes")
    func shippedBinaryHasNoTestRoutes() async throws {
        try await TestService.run(store: .sqlite) { test in
            try await test.withRouterClient { client async throws in
                let failure = try await client.send(.get, "/test/failure")
                let slow = try await client.send(.get, "/test/slow")
                #expect(failure.status == .notFound)
                #expect(slow.status == .notFound)
            }
        }
    }
}
