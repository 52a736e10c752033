import HTTPTypes
import Hummingbird
import Instrumentation
import OrdersCore
import ServiceContextModule
import Tracing

/// Records the server span of every request, first in the chain, so that every later middleware, the
/// request's log lines (`trace_id`, `span_id`) and its problem body run inside it.
///
/// - The span continues the caller's trace: a well-formed W3C `traceparent` (with its `tracestate`), else
///   the load balancer's `X-Amzn-Trace-Id` (``AmazonTraceHeader``), else a new trace. Only those headers
///   reach the propagator; a malformed `traceparent` is ignored, so no request makes the tracer log its
///   headers, and an API key never reaches a log line this way.
/// - Its name is the route template (`/orders/{id}`), or `unmatched` for a path no route matched: the
///   same bounded names as the request metrics, whatever paths clients send.
/// - Attributes: `http.request.method` (the standard methods, else `OTHER`), `http.route` and
///   `http.response.status_code`; a 5xx marks the span failed. No path, query, header or body.
struct RequestTracingMiddleware: RouterMiddleware {
    /// The context this middleware runs with.
    typealias Context = OrdersRequestContext

    /// The W3C trace context headers.
    static let traceparent = HTTPField.Name("traceparent")!
    static let tracestate = HTTPField.Name("tracestate")!
    /// The load balancer's trace header.
    static let amazonTraceID = HTTPField.Name("X-Amzn-Trace-Id")!
    /// Longest `tracestate` passed on; the W3C limit is 32 members of at most 256 characters each.
    static let maximumTraceStateLength = 512

    /// The share of new traces the sampler keeps (``TracingSettings/newTraceRatio``), for traces the
    /// load balancer started.
    let newTraceRatio: Double

    /// Runs the rest of the chain inside the request's server span.
    func handle(
        _ request: Request,
        context: Context,
        next: (Request, Context) async throws -> Response
    ) async throws
        -> Response
    {
        var traceContext = ServiceContext.current ?? .topLevel
        let carrier = traceHeaders(request.headers)
        if !carrier.isEmpty {
            InstrumentationSystem.instrument.extract(carrier, into: &traceContext, using: DictionaryExtractor())
        }
        let span = startSpan("unmatched", context: traceContext, ofKind: .server)
        span.attributes["http.request.method"] = RequestMetrics.methodLabel(request.method)
        defer { span.end() }
        do {
            let response = try await ServiceContext.$current.withValue(span.context) {
                try await next(request, context)
            }
            record(status: Int(response.status.code), on: span, context: context)
            return response
        } catch {
            let status = (error as? any HTTPResponseError)?.status.code ?? 500
            record(status: Int(status), on: span, context: context)
            span.recordError(error)
            throw error
        }
    }

    /// The trace headers to continue, keyed by their lowercase names: the caller's `traceparent` (and
    /// `tracestate`) when well formed, else the one the load balancer's header maps to, else none.
    func traceHeaders(_ headers: HTTPFields) -> [String: String] {
        if let parent = headers[Self.traceparent], Self.isWellFormedTraceparent(parent) {
            var carrier = ["traceparent": parent]
            if let state = headers[Self.tracestate], state.utf8.count <= Self.maximumTraceStateLength {
                carrier["tracestate"] = state
            }
            return carrier
        }
        if let amazon = headers[Self.amazonTraceID].flatMap(AmazonTraceHeader.init) {
            return ["traceparent": amazon.traceparent(newTraceRatio: newTraceRatio)]
        }
        return [:]
    }

    /// `00-<32 hex>-<16 hex>-<2 hex>` with non-zero ids (W3C Trace Context, version 00; a later
    /// version may append fields after a `-`).
    static func isWellFormedTraceparent(_ value: String) -> Bool {
        let parts = value.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count >= 4, value.utf8.count <= 256 else { return false }
        let lengths = [2, 32, 16, 2]
        for (part, length) in zip(parts, lengths) {
            guard Hex.isDigits(part, count: length, lowercaseOnly: true) else { return false }
        }
        guard parts[0] != "ff", parts[0] != "00" || parts.count == 4 else { return false }
        return parts[1].utf8.contains { $0 != UInt8(ascii: "0") } && parts[2].utf8.contains { $0 != UInt8(ascii: "0") }
    }

    private func record(status: Int, on span: any Span, context: Context) {
        let route = ObservabilityMiddleware.route(context)
        span.operationName = route
        span.attributes["http.route"] = route
        span.attributes["http.response.status_code"] = status
        if status >= 500 { span.setStatus(SpanStatus(code: .error)) }
    }
}

/// Reads a header from a dictionary of lowercase names.
private struct DictionaryExtractor: Extractor {
    func extract(key: String, from carrier: [String: String]) -> String? { carrier[key] }
}
