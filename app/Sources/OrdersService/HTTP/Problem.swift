import HTTPTypes
import Hummingbird
import OrdersCore

/// An error answer in the `application/problem+json` format of RFC 9457. Every client mistake and every
/// failure the service can name is one of these; nothing internal (stack traces, SQL, paths) is ever in
/// one.
struct Problem: Error, Sendable {
    /// The HTTP status.
    var status: HTTPResponse.Status
    /// A URI naming the kind of problem; `about:blank` when the status says it all.
    var type: String
    /// A short summary of the kind of problem.
    var title: String
    /// What happened in this case.
    var detail: String?
    /// The field errors of a body that broke the API's rules (422).
    var errors: [FieldError]
    /// Extra headers such as `Retry-After`, `Allow` or `WWW-Authenticate`.
    var headers: HTTPFields

    /// Creates a problem.
    init(
        _ status: HTTPResponse.Status,
        type: String = "about:blank",
        title: String? = nil,
        detail: String? = nil,
        errors: [FieldError] = [],
        headers: HTTPFields = [:]
    ) {
        self.status = status
        self.type = type
        self.title = title ?? status.reasonPhrase
        self.detail = detail
        self.errors = errors
        self.headers = headers
    }

    /// The media type of every problem body.
    static let mediaType = "application/problem+json"

    /// The response, with the request's path as `instance`, its id as `request_id` and, when the request
    /// is traced, its trace id as `trace_id`, so that a client report can be matched with the log and the
    /// trace.
    func response(path: String, requestID: String, traceID: String? = nil) -> Response {
        Response(
            status: status,
            headers: responseHeaders,
            body: .init(
                byteBuffer: ByteBuffer(string: body(instance: path, requestID: requestID, traceID: traceID))
            )
        )
    }

    /// The headers of the response: the extra ones, the media type, and `no-store`.
    var responseHeaders: HTTPFields {
        var headers = self.headers
        headers[.contentType] = Self.mediaType
        headers[.cacheControl] = "no-store"
        return headers
    }

    /// The JSON body. `instance` is the request's path (cut at 512 characters), or nil for a request
    /// whose path was never read; `traceID` is the request's trace, when it has one.
    func body(instance: String?, requestID: String, traceID: String? = nil) -> String {
        var body = "{\"type\":"
        JSONText.appendString(type, to: &body)
        body += ",\"title\":"
        JSONText.appendString(title, to: &body)
        body += ",\"status\":\(status.code)"
        if let detail {
            body += ",\"detail\":"
            JSONText.appendString(detail, to: &body)
        }
        if let instance {
            body += ",\"instance\":"
            JSONText.appendString(String(instance.prefix(512)), to: &body)
        }
        body += ",\"request_id\":"
        JSONText.appendString(requestID, to: &body)
        if let traceID {
            body += ",\"trace_id\":"
            JSONText.appendString(traceID, to: &body)
        }
        if !errors.isEmpty {
            body += ",\"errors\":["
            for (index, error) in errors.enumerated() {
                if index > 0 { body += "," }
                body += "{\"pointer\":"
                JSONText.appendString(error.pointer, to: &body)
                body += ",\"detail\":"
                JSONText.appendString(error.detail, to: &body)
                body += "}"
            }
            body += "]"
        }
        body += "}"
        return body
    }
}

extension Problem {
    /// A request whose task was cancelled before it finished (the stop sequence ran out of time).
    static let requestCancelled = Problem(
        .serviceUnavailable,
        type: "urn:orders-service:problem:request-cancelled",
        title: "Request cancelled",
        detail: "The service stopped before it finished this request. Retry; "
            + "retry a POST with the same Idempotency-Key, so an order that was created is returned, not created twice.",
        headers: [.retryAfter: "1"]
    )

    /// The store cannot answer now: 503 with `Retry-After`, so clients and the load balancer back off.
    ///
    /// A write that timed out may still have committed, so the advice for a retry names the
    /// `Idempotency-Key`: with the same key, a retry returns the order if it was created.
    static let storeUnavailable = Problem(
        .serviceUnavailable,
        detail: "The order store is unavailable. Retry after the delay in Retry-After; "
            + "retry a POST with the same Idempotency-Key, so an order that was created is returned, not created twice.",
        headers: [.retryAfter: "2"]
    )
}
