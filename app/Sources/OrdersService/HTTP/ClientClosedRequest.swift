import HTTPTypes
import Hummingbird

/// The client closed or reset its connection before its request had been read whole. Nobody is left to
/// answer, so nothing is written (``HTTP1ConnectionHandler`` drops the response); the request is recorded
/// with status 499, nginx's "client closed request", with `outcome: client_closed` in its log line. It is
/// the client's doing: not a 5xx, and not in `http_server_errors_total`.
struct ClientClosedRequest: Error {
    /// The status the request is recorded with.
    static let status = HTTPResponse.Status(code: 499, reasonPhrase: "Client Closed Request")

    /// The response the router returns for it, which never reaches the wire.
    static var response: Response {
        Response(status: status, headers: [.connection: "close"])
    }
}
