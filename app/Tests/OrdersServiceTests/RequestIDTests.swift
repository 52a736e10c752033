import HTTPTypes
import Testing

@testable import OrdersCore
@testable import OrdersService

@Suite("Request ids")
struct RequestIDTests {
    let requestID = HTTPField.Name("X-Request-Id")!
    let traceID = HTTPField.Name("X-Amzn-Trace-Id")!

    @Test("a well-formed X-Request-Id is echoed and logged")
    func propagated() async throws {
        try await TestService.run(store: .sqlite) { test in
            try await test.withRouterClient { client async throws in
                let response = try await client.send(.get, "/nope", headers: [requestID: "abc-123_DEF.456"])
                #expect(response.headers[requestID] == "abc-123_DEF.456")
                #expect(try response.json["request_id"] as? String == "abc-123_DEF.456")
            }
            #expect(
                test.logs.lines.contains {
                    $0.contains(#""request_id":"abc-123_DEF.456""#) && $0.contains(#""status":404"#)
                }
            )
        }
    }

    @Test("the load balancer's trace id is used when there is no X-Request-Id")
    func traceIDFallback() async throws {
        try await TestService.run(store: .sqlite) { test in
            try await test.withRouterClient { client async throws in
                let trace = "Root=1-67891233-abcdef012345678912345678"
                let response = try await client.send(.get, "/health", headers: [traceID: trace])
                #expect(response.headers[requestID] == trace)
            }
        }
    }

    @Test(
        "a malicious id is replaced by a fresh one",
        arguments: ["evil\nFAKE LOG LINE", String(repeating: "a", count: 10_000), "<script>", "a b", "\u{1B}[31mred"]
    )
    func rejected(hostile: String) async throws {
        try await TestService.run(store: .sqlite) { test in
            try await test.withRouterClient { client async throws in
                let response = try await client.send(.get, "/nope", headers: [requestID: hostile])
                let echoed = try #require(response.headers[requestID])
                #expect(echoed != hostile)
                #expect(echoed.count == 32 && echoed.allSatisfy(\.isHexDigit))
            }
            #expect(!test.logs.lines.contains { $0.contains("FAKE LOG LINE") || $0.contains("aaaaaaaaaaaaaaaaaaaa") })
        }
    }

    @Test("every response gets an id, and ids differ")
    func generated() async throws {
        try await TestService.run(store: .sqlite) { test in
            try await test.withRouterClient { client async throws in
                let first = try await client.send(.get, "/health").headers[requestID]
                let second = try await client.send(.get, "/health").headers[requestID]
                #expect(first != nil && second != nil && first != second)
            }
        }
    }

    @Test("generated ids are distinct and do not count the requests served")
    func generatedIDsAreScrambled() {
        let ids = (0..<10_000).map { _ in RequestIDMiddleware.generate() }
        #expect(Set(ids).count == ids.count)
        #expect(Set(ids.map { $0.prefix(16) }).count == 1)
        let counters = ids.compactMap { UInt64($0.dropFirst(16), radix: 16) }
        #expect(counters.count == ids.count)
        let consecutive = zip(counters, counters.dropFirst()).filter { $1 == $0 &+ 1 }
        #expect(consecutive.isEmpty)
    }
}
