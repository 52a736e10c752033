import HTTPTypes
import OrdersCore

/// Bounds what one request may cost: the handler runs as a child task beside a timer that fires at
/// `deadline` (the request's arrival plus `REQUEST_TIMEOUT_SECONDS`, the same end the key lookup had), and
/// when the timer wins the handler is cancelled and the client gets an answer rather than a connection
/// that hangs.
///
/// Whose fault the time was decides the answer. While `body` says the request's body is still arriving,
/// the client is the one that stopped: 408 with `Connection: close`, as load balancers answer a client
/// that stops sending. Otherwise the service was too slow: 503 with `Retry-After`, which counts against
/// the service.
///
/// Cancellation is cooperative. Reading the body and the PostgreSQL store's calls honour it (they answer
/// at once when cancelled, see ``withDeadline(until:timeoutError:operation:)``); an SQLite statement runs
/// to its end first, so on the embedded store the 503 comes once the statement in progress is done (a
/// point read or an insert takes microseconds; one waiting for another process's lock gives up after
/// 5 s for a write, 250 ms for a read).
func withRequestTimeLimit<Value: Sendable>(
    until deadline: ContinuousClock.Instant,
    body: RequestBodyProgress? = nil,
    _ handler: @escaping @Sendable () async throws -> Value
) async throws -> Value {
    try await withThrowingTaskGroup(of: Value?.self) { group in
        group.addTask { try await handler() }
        group.addTask {
            try await sleepOnEventLoop(for: deadline - ContinuousClock.now)
            return nil
        }
        defer { group.cancelAll() }
        guard let first = try await group.next(), let value = first else {
            throw body?.isReceiving == true ? Problem.requestBodyTimeout : Problem.requestTimeLimit
        }
        return value
    }
}

extension Problem {
    /// The client stopped sending its body before the time limit: its doing.
    static let requestBodyTimeout = Problem(
        .requestTimeout,
        type: "urn:orders-service:problem:request-body-timeout",
        title: "Request body not received in time",
        detail: "The request body did not arrive within the service's time limit. Send it without pauses.",
        headers: [.connection: "close"]
    )

    /// The service did not finish a request within the time limit: its failure.
    static let requestTimeLimit = Problem(
        .serviceUnavailable,
        type: "urn:orders-service:problem:request-time-limit",
        title: "Request took too long",
        detail: "The request did not finish within the service's time limit. Retry later.",
        headers: [.retryAfter: "1"]
    )
}
