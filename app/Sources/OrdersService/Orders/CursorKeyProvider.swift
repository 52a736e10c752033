import Crypto
import OrdersCore
import Synchronization

/// Where the cursor key comes from, so that every task seals and opens cursors alike and a cursor
/// outlives a restart:
///
/// - `CURSOR_KEY`, when it is set (in production, from a secret), or else
/// - a random key the service generates once and keeps in its store as the shared secret
///   ``secretName``: every task of a deployment shares the store, so they share the key; `make run`'s
///   SQLite file keeps it across restarts.
///
/// The stored key is read on the first listing that needs it (the store may be down at start-up) and
/// kept for the life of the process.
final class CursorKeyProvider: Sendable {
    /// Name of the key among the store's shared secrets.
    static let secretName = "cursor-key"

    private let store: any SharedSecretStore
    private let sealer: Mutex<CursorSealer?>

    /// A provider of the configured key, or of the store's when `configuredKey` is nil.
    init(configuredKey: [UInt8]?, store: any SharedSecretStore) {
        self.store = store
        self.sealer = Mutex(configuredKey.map { CursorSealer(key: $0) })
    }

    /// The sealer of the shared key.
    func current() async throws -> CursorSealer {
        if let sealer = sealer.withLock({ $0 }) { return sealer }
        let candidate = SymmetricKey(size: .bits256).withUnsafeBytes { Array($0) }
        let key = try await store.sharedSecret(named: Self.secretName, storingIfAbsent: candidate)
        let loaded = CursorSealer(key: key)
        sealer.withLock { $0 = loaded }
        return loaded
    }
}
