import HTTPTypes
import Testing

@testable import OrdersService

@Suite("Whose fault a request's time limit was")
struct RequestTimeLimitTests {
    /// Runs a handler that never finishes under a 50 ms limit and returns what the limit threw.
    private func stopped(body: RequestBodyProgress?) async -> Problem? {
        await #expect(throws: Problem.self) {
            try await withRequestTimeLimit(until: .now + .milliseconds(50), body: body) {
                try await Task.sleep(for: .seconds(60))
                return 1
            }
        }
    }

    @Test("a body still arriving is the client's: 408 with Connection: close, not a server error")
    func clientStalled() async throws {
        let body = RequestBodyProgress()
        body.started()
        let problem = try #require(await stopped(body: body))
        #expect(problem.status == .requestTimeout)
        #expect(problem.headers[.connection] == "close")
        #expect(!RequestMetrics.isServiceFailure(status: problem.status.code))
    }

    @Test("a request read whole, or one without a body, is the service's: 503 with Retry-After")
    func serviceTooSlow() async throws {
        let finished = RequestBodyProgress()
        finished.started()
        finished.finished()
        for body in [finished, nil] {
            let problem = try #require(await stopped(body: body))
            #expect(problem.status == .serviceUnavailable)
            #expect(problem.headers[.retryAfter] == "1")
            #expect(RequestMetrics.isServiceFailure(status: problem.status.code))
        }
    }
}
