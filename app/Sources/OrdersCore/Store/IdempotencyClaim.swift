/// An `Idempotency-Key` with the scope it is unique in (the caller's customer or key) and the fingerprint
/// of the request it came with.
package struct IdempotencyClaim: Sendable, Equatable {
    /// Who the key belongs to: two callers may use the same key without colliding.
    var scope: String
    /// The header's value.
    var key: String
    /// ``OrderFingerprint`` of the request.
    var fingerprint: String

    /// Creates a claim.
    package init(scope: String, key: String, fingerprint: String) {
        self.scope = scope
        self.key = key
        self.fingerprint = fingerprint
    }
}
