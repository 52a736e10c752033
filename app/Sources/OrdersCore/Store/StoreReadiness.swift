/// The store's answer to a readiness probe.
package struct StoreReadiness: Sendable, Equatable {
    /// True when the store can serve requests.
    package var isReady: Bool
    /// A short, non-sensitive reason when it cannot (never a connection string or SQL).
    package var reason: String?

    /// A ready store.
    static let ready = StoreReadiness(isReady: true, reason: nil)

    /// Creates a readiness answer.
    init(isReady: Bool, reason: String?) {
        self.isReady = isReady
        self.reason = reason
    }
}
