public import HTTPTypes
public import Hummingbird

extension Router where Context == OrdersRequestContext {
    /// Answers 405 with an `Allow` header for every standard method a path does not serve. The router on
    /// its own answers 404 for a known path with the wrong method, which misleads clients.
    func rejectOtherMethods(at path: String, allowed: [HTTPRequest.Method]) {
        let standard: [HTTPRequest.Method] = [.get, .head, .post, .put, .patch, .delete, .options, .trace]
        let allowHeader = allowed.map(\.rawValue).joined(separator: ", ")
        for method in standard where !allowed.contains(method) {
            on(RouterPath(stringLiteral: path), method: method) { _, _ -> Response in
                throw Problem(
                    .methodNotAllowed,
                    detail: "This path accepts \(allowHeader).",
                    headers: [.allow: allowHeader]
                )
            }
        }
    }
}
