/// The parts of an absolute `http` or `https` URL this client needs: scheme, host, port and path.
struct URLParts: Sendable, Equatable {
    /// `http` or `https`.
    let scheme: String
    /// The host as written (an IPv6 address keeps its brackets).
    let host: String
    /// The port when the URL names one.
    let port: Int?
    /// The path and what follows it, possibly empty.
    let path: String

    /// Splits `url`; nil for anything but an `http` or `https` URL with a host and no user information.
    init?(_ url: String) {
        let lowered = url.lowercased()
        let scheme: String
        if lowered.hasPrefix("https://") {
            scheme = "https"
        } else if lowered.hasPrefix("http://") {
            scheme = "http"
        } else {
            return nil
        }
        let rest = url.dropFirst(scheme.count + 3)
        let authorityEnd = rest.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        guard !authority.isEmpty, !authority.contains("@") else { return nil }
        var host = Substring(authority)
        var port: Int?
        if let colon = authority.lastIndex(of: ":"), !authority[colon...].contains("]") {
            guard let number = Int(authority[authority.index(after: colon)...]), (1...65535).contains(number) else {
                return nil
            }
            port = number
            host = authority[..<colon]
        }
        guard !host.isEmpty else { return nil }
        self.scheme = scheme
        self.host = String(host)
        self.port = port
        self.path = String(rest[authorityEnd...])
    }

    /// `scheme://host[:port]`.
    var base: String { "\(scheme)://\(hostHeader)" }

    /// The `Host` header's value: the host, with the port when the URL names one.
    var hostHeader: String { port.map { "\(host):\($0)" } ?? host }
}
