/// API keys live in the same store as the orders, so every task sees a key the moment it is created.
package protocol APIKeyStore: Sendable {
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
