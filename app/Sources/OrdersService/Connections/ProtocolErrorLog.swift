import Logging

/// Records the answers ``HTTP1ConnectionHandler`` writes itself, which no route or middleware sees: one
/// access log line and one request count each, like every routed request.
struct ProtocolErrorLog: Sendable {
    let metrics: RequestMetrics
    let logger: Logger

    /// Records `answer`, sent under `requestID`.
    func record(_ answer: ProtocolErrorAnswer, requestID: String) {
        let status = answer.problem.status.code
        metrics.recordUnroutedAnswer(status: status)
        logger.info(
            "request",
            metadata: [
                "route": .string(RequestMetrics.unmatchedRoute),
                "status": .stringConvertible(status),
                "outcome": "protocol_error",
                "error": .string(answer.reason),
                RequestIDMiddleware.loggerMetadataKey: .string(requestID),
            ]
        )
    }
}
