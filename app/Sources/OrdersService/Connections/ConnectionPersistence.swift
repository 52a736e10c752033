import NIOHTTP1

/// Whether a connection stays open after the response to a request, as RFC 9112 (section 9.3) decides
/// it from the request alone:
///
/// 1. a `close` option in any `Connection` field ends it, whatever else the field says
///    (`Connection: keep-alive, close` closes);
/// 2. otherwise HTTP/1.1 persists;
/// 3. otherwise HTTP/1.0 persists only when it asked for `keep-alive`.
///
/// The parser's own judgement is not used: for HTTP/1.0 it lets `keep-alive` win over `close`.
enum ConnectionPersistence {
    /// The verdict for a request of `version` with these `Connection` field values.
    static func persists(version: HTTPVersion, connectionFields: [String]) -> Bool {
        let options = options(connectionFields)
        if options.contains("close") { return false }
        if version.major == 1 && version.minor >= 1 { return true }
        return version == .http1_0 && options.contains("keep-alive")
    }

    /// Whether `fields` (the `Connection` field values of a response) carry the `close` option.
    static func saysClose(_ fields: [String]) -> Bool {
        options(fields).contains("close")
    }

    /// The connection options of `fields`, lower-cased: comma-separated tokens, which never hold
    /// whitespace, so dropping every space and tab leaves the tokens.
    private static func options(_ fields: [String]) -> Set<String> {
        Set(fields.flatMap { $0.split(separator: ",") }.map { $0.filter { $0 != " " && $0 != "\t" }.lowercased() })
    }
}
