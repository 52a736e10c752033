/// A stored API key: everything but its secret, of which only the digest is kept.
package struct APIKeyRecord: Sendable, Equatable {
    /// Public id.
    package var keyID: String
    /// SHA-256 of the secret, hex.
    package var secretDigest: String
    /// The customer the key is bound to; nil for an admin key.
    package var customerID: String?
    /// A note for operators (who holds the key, what for).
    package var label: String
    /// Creation time, milliseconds since the epoch.
    package var createdAtMilliseconds: Int64
    /// Last time the key authenticated a request, to within a minute; nil if never.
    package var lastUsedAtMilliseconds: Int64?
    /// When the key was revoked; nil while it is valid.
    package var revokedAtMilliseconds: Int64?

    /// Creates a record.
    package init(
        keyID: String,
        secretDigest: String,
        customerID: String?,
        label: String,
        createdAtMilliseconds: Int64,
        lastUsedAtMilliseconds: Int64? = nil,
        revokedAtMilliseconds: Int64? = nil
    ) {
        self.keyID = keyID
        self.secretDigest = secretDigest
        self.customerID = customerID
        self.label = label
        self.createdAtMilliseconds = createdAtMilliseconds
        self.lastUsedAtMilliseconds = lastUsedAtMilliseconds
        self.revokedAtMilliseconds = revokedAtMilliseconds
    }
}
