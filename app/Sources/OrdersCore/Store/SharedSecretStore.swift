/// Secrets the service makes for itself and every process must share, such as the key that seals the
/// orders API's cursors, kept in the store that all of a deployment's tasks already share.
package protocol SharedSecretStore: Sendable {
    /// The value stored under `name`. When there is none yet, `candidate` is stored first, so every process
    /// that asks, at once or later, gets the same value; it lives as long as the store's data.
    func sharedSecret(named name: String, storingIfAbsent candidate: [UInt8]) async throws -> [UInt8]
}
