import HTTPTypes
import Hummingbird
import Logging
import OTel
import OrdersCore
import ServiceContextModule

/// Turns every error thrown below it into a problem response: a ``Problem`` as it is, Hummingbird's own
/// HTTP errors (404, 413 and the like) with their status, a store outage (PostgreSQL down, SQLite busy or
/// full) as 503, a cancelled request as 503 logged at `notice`, a client that left mid-request as
/// ``ClientClosedRequest`` (recorded, never written), and anything else as a bare 500
/// whose details go only to the log, under the request id (`context.id`, which ``RequestIDMiddleware``
/// has set). Every problem body carries the request id and, when the request is traced, the trace id.
struct ProblemMiddleware: RouterMiddleware {
    /// The context this middleware runs with.
    typealias Context = OrdersRequestContext

    /// Creates the middleware.
    init() {}

    /// Calls the rest of the chain and converts what it throws.
    func handle(
        _ request: Request,
        context: Context,
        next: (Request, Context) async throws -> Response
    ) async throws
        -> Response
    {
        do {
            return try await next(request, context)
        } catch let problem as Problem {
            return Self.response(problem, request: request, context: context)
        } catch is ClientClosedRequest {
            return ClientClosedRequest.response
        } catch let error as StoreUnavailableError {
            context.logger.warning("order store unavailable", metadata: ["error": .string(error.description)])
            return Self.response(.storeUnavailable, request: request, context: context)
        } catch is CancellationError {
            // The request's task was cancelled (the stop sequence's bound ran out while it was in flight):
            // nothing went wrong in it, so it is no error line, but the service did not finish it.
            context.logger.notice("request cancelled before it finished")
            return Self.response(.requestCancelled, request: request, context: context)
        } catch let error as any HTTPResponseError {
            let problem = Problem(error.status, detail: Self.detail(for: error.status), headers: [:])
            return Self.response(problem, request: request, context: context)
        } catch {
            context.logger.error(
                "request failed with an unexpected error",
                metadata: ["error": .string(String(reflecting: error)), "error_type": .string("\(type(of: error))")]
            )
            let problem = Problem(
                .internalServerError,
                detail: "An unexpected error occurred. Quote the request_id when reporting it."
            )
            return Self.response(problem, request: request, context: context)
        }
    }

    /// `problem` for `request`, with its request id and, when tracing is on, the trace id of the request's
    /// span (the tracing middleware runs first, so its span is still current here). Read only on the way
    /// out of a failed request, so a request that succeeds pays nothing for it.
    private static func response(_ problem: Problem, request: Request, context: Context) -> Response {
        problem.response(path: request.uri.path, requestID: context.id, traceID: ServiceContext.current?.otelTraceID)
    }

    private static func detail(for status: HTTPResponse.Status) -> String? {
        switch status {
        case .notFound: "No resource at this path."
        case .contentTooLarge: "The request body is larger than this service accepts."
        default: nil
        }
    }
}
