/// The connection closed before the request's body ended. Raised to the route reading that body so a
/// truncated body is never taken for a whole one.
struct ConnectionClosedDuringRequest: Error {}
