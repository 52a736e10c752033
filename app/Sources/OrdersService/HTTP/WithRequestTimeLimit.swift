import HTTPTypes
import OrdersCore

/// Bounds what one request may cost: the handler runs as a child task beside a timer, and when the
/// timer wins the handler is cancelled and the client gets 503 rather than a connection that hangs.
///
/// Cancellation is cooperative. Reading the body and the PostgreSQL store's calls honour it (they answer
/// at once when cancelled, see ``withDeadline(_:_:operation:)``); an SQLite statement runs to its end
/// first, so on the embedded store the 503 comes once the statement in progress is done (a point
/// read or an insert takes microseconds; one waiting for another process's lock gives up after
/// SQLite's 5 s busy timeout).
func withRequestTimeLimit<Value: Sendable>(
    _ limit: Duration,
    _ handler: @escaping @Sendable () async throws -> Value
) async throws -> Value {
    try await withThrowingTaskGroup(of: Value?.self) { group in
        group.addTask { try await handler() }
        group.addTask {
            try await sleepOnEventLoop(for: limit)
            return nil
        }
        defer { group.cancelAll() }
        guard let first = try await group.next(), let value = first else {
            throw Problem(
                .serviceUnavailable,
                type: "urn:orders-service:problem:request-time-limit",
                title: "Request took too long",
                detail: "The request did not finish within the service's time limit. Retry later.",
                headers: [.retryAfter: "1"]
            )
        }
        return value
    }
}
