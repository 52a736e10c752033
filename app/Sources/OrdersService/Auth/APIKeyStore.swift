/// A stored API key: everything but its secret, of which only the digest is kept.
public struct APIKeyRecord: Sendable, Equatable {
    /// Public id.
    public var keyID: String
    /// SHA-256 of the secret, hex.
    public var secretDigest: String
    /// The customer the key is bound to; nil for an admin key.
    public var customerID: String?
    /// A note for operators (who holds the key, what for).
    public var label: String
    /// Creation time, milliseconds since the epoch.
    public var createdAtMilliseconds: Int64
    /// Last time the key authenticated a request, to within a minute; nil if never.
    public var lastUsedAtMilliseconds: Int64?
    /// When the key was revoked; nil while it is valid.
    public var revokedAtMilliseconds: Int64?

    /// Creates a record.
    public init(
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

/// API keys live in the same store as the orders, so every task sees a key the moment it is created.
public protocol APIKeyStore: Sendable {
    /// Stores a new key.
    func insertKey(_ record: APIKeyRecord) async throws
    /// The key with `keyID`, revoked or not, or nil.
    func key(id keyID: String) async throws -> APIKeyRecord?
    /// Every key, oldest first.
    func allKeys() async throws -> [APIKeyRecord]
    /// Marks the key revoked at `time`; false when there is no such key or it was already revoked.
    func revokeKey(id keyID: String, at time: Int64) async throws -> Bool
    /// Records that the key was used at `time`.
    func touchKey(id keyID: String, at time: Int64) async throws
}
