import HTTPTypes
import NIOCore
import NIOHTTP1
import NIOHTTPTypesHTTP1

/// The answer to bytes that never became a request a route could see: a request head the HTTP parser
/// refused, or one that HTTP/1.1 forbids. ``HTTP1ConnectionHandler`` writes it itself, as a problem body
/// with `Connection: close`: after a parse error nobody can tell where a next request would begin.
struct ProtocolErrorAnswer: Sendable {
    /// What the client is told.
    let problem: Problem
    /// What was wrong, for the log.
    let reason: String

    /// The answer to a head the parser refused: 501 for a method token it does not know (RFC 9110,
    /// section 9.1), 505 for an HTTP version other than 1.x (the parser pauses on HTTP/2's connection
    /// preface, `PRI * HTTP/2.0`), 431 for header fields over the limits, and 400 for anything else
    /// malformed.
    init(parserError: HTTPParserError) {
        reason = "\(parserError)"
        switch parserError {
        case .invalidMethod:
            problem = .methodNotImplemented(nil)
        case .invalidVersion, .paused:
            problem = Problem(
                .httpVersionNotSupported,
                type: "urn:orders-service:problem:http-version-not-supported",
                detail: "This service speaks HTTP/1.0 and HTTP/1.1."
            )
        case .headerOverflow:
            problem = Problem(
                .requestHeaderFieldsTooLarge,
                type: "urn:orders-service:problem:header-fields-too-large",
                detail:
                    "A header field is over 16 KiB, the fields are over 32 KiB together, or there are more than 100."
            )
        default:
            problem = Self.malformedRequest
        }
    }

    private init(problem: Problem, reason: String) {
        self.problem = problem
        self.reason = reason
    }

    /// An HTTP/1.1 request with no `Host` field, or any request with more than one (RFC 9112, section 3.2:
    /// a server must answer 400).
    static let hostField = ProtocolErrorAnswer(
        problem: Problem(
            .badRequest,
            type: "urn:orders-service:problem:malformed-request",
            detail: "An HTTP/1.1 request carries exactly one Host header field (RFC 9112, section 3.2)."
        ),
        reason: "Host header field missing or repeated"
    )

    /// A request whose head is not valid HTTP/1.1 syntax.
    static let malformedRequest = Problem(
        .badRequest,
        type: "urn:orders-service:problem:malformed-request",
        detail: "The request is not valid HTTP/1.1."
    )

    /// The response head (with its length and `Connection: close`) and body, under `requestID`.
    func responseParts(requestID: String) -> (head: HTTPResponseHead, body: ByteBuffer) {
        let body = ByteBuffer(string: problem.body(instance: nil, requestID: requestID))
        var fields = problem.responseHeaders
        fields[.contentLength] = String(body.readableBytes)
        fields[.connection] = "close"
        fields[RequestIDMiddleware.header] = requestID
        let status = HTTPResponseStatus(statusCode: problem.status.code, reasonPhrase: problem.status.reasonPhrase)
        return (HTTPResponseHead(version: .http1_1, status: status, headers: HTTPHeaders(fields)), body)
    }
}
