import OrdersCore

/// The opaque `after` cursor of `GET /orders`: a base64url string that names the last order of the
/// previous page. Clients pass it back unchanged; anything else is a 400.
struct OrderCursor: Sendable, Equatable {
    /// The store position of the last order already returned.
    var sequence: Int64

    private static let prefix = "o1:"

    /// A cursor that continues after `sequence`.
    init(sequence: Int64) {
        self.sequence = sequence
    }

    /// Parses a cursor a client sent, or nil when it is not one this service issued.
    init?(token: String) {
        guard token.utf8.count <= 64, let decoded = Base64URL.decode(token),
            let text = String(validating: decoded, as: UTF8.self), text.hasPrefix(Self.prefix),
            let sequence = Int64(text.dropFirst(Self.prefix.count)), sequence > 0
        else { return nil }
        self.sequence = sequence
    }

    /// The token to send to the client.
    var token: String {
        Base64URL.encode(Array((Self.prefix + String(sequence)).utf8))
    }
}
