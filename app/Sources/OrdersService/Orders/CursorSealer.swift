import Crypto
import OrdersCore

/// Seals the `after` cursors of `GET /orders`: a cursor is the store position of the last order of a
/// page, encrypted and authenticated (AES-256-GCM) for the listing it continues.
///
/// - Opaque: the position is encrypted, so a cursor tells nobody how many orders the store holds.
/// - Tamper-evident: a changed, made-up or truncated cursor fails authentication and is refused.
/// - Scoped: the listing's scope (its customer, or every order for an admin key) is authenticated data,
///   so a cursor one customer received is refused for any other.
///
/// The nonce is derived from the scope and the position with HMAC-SHA256 (a synthetic nonce, as in
/// SIV modes), so the same position gives the same cursor and distinct ones never share a nonce, with no
/// random bytes drawn per page. Both keys are derived with HKDF from one 256-bit key, which every task
/// shares (``CursorKeyProvider``).
struct CursorSealer: Sendable {
    /// The first byte of every cursor; another value is a format this service does not read.
    private static let version: UInt8 = 1
    private static let nonceLength = 12
    private static let tagLength = 16
    private static let positionLength = 8
    /// Longest cursor text accepted, as the OpenAPI document states.
    static let maximumTokenLength = 64

    // The derived keys as bytes: swift-crypto's `SymmetricKey` is not `Sendable`, so one is made per use.
    private let encryptionKeyBytes: [UInt8]
    private let nonceKeyBytes: [UInt8]

    /// A sealer for the 256-bit `key`.
    init(key: [UInt8]) {
        encryptionKeyBytes = Self.derive(from: key, purpose: "orders-service cursor encryption")
        nonceKeyBytes = Self.derive(from: key, purpose: "orders-service cursor nonce")
    }

    private var encryptionKey: SymmetricKey { SymmetricKey(data: encryptionKeyBytes) }
    private var nonceKey: SymmetricKey { SymmetricKey(data: nonceKeyBytes) }

    private static func derive(from key: [UInt8], purpose: String) -> [UInt8] {
        HKDF<SHA256>.deriveKey(
            inputKeyMaterial: SymmetricKey(data: key),
            info: Array(purpose.utf8),
            outputByteCount: 32
        )
        .withUnsafeBytes { Array($0) }
    }

    /// The cursor that continues the listing `scope` after the order at `sequence`.
    func token(sequence: Int64, scope: String) -> String {
        let position = Self.bytes(of: sequence)
        let associated = [Self.version] + Array(scope.utf8)
        let mac = HMAC<SHA256>.authenticationCode(for: associated + position, using: nonceKey)
        // Twelve bytes always make a nonce, and sealing with a valid nonce and key cannot fail.
        let nonce = try! AES.GCM.Nonce(data: Array(mac.prefix(Self.nonceLength)))
        let sealed = try! AES.GCM.seal(position, using: encryptionKey, nonce: nonce, authenticating: associated)
        return Base64URL.encode([Self.version] + Array(nonce) + Array(sealed.ciphertext) + Array(sealed.tag))
    }

    /// The position `token` continues after in the listing `scope`, or nil when this service did not
    /// issue it for that listing.
    func sequence(fromToken token: String, scope: String) -> Int64? {
        let expectedLength = 1 + Self.nonceLength + Self.positionLength + Self.tagLength
        guard token.utf8.count <= Self.maximumTokenLength, let bytes = Base64URL.decode(token),
            bytes.count == expectedLength, bytes[0] == Self.version
        else { return nil }
        let nonceEnd = 1 + Self.nonceLength
        let positionEnd = nonceEnd + Self.positionLength
        guard let nonce = try? AES.GCM.Nonce(data: bytes[1..<nonceEnd]),
            let box = try? AES.GCM.SealedBox(
                nonce: nonce,
                ciphertext: bytes[nonceEnd..<positionEnd],
                tag: bytes[positionEnd...]
            ),
            let position = try? AES.GCM.open(
                box,
                using: encryptionKey,
                authenticating: [Self.version] + Array(scope.utf8)
            )
        else { return nil }
        let sequence = position.reduce(Int64(0)) { $0 << 8 | Int64($1) }
        return sequence > 0 ? sequence : nil
    }

    /// The scope of a listing by `customerID`, or of every order (an admin key) when it is nil.
    static func scope(customerID: String?) -> String {
        customerID.map { "customer:" + $0 } ?? "all"
    }

    private static func bytes(of value: Int64) -> [UInt8] {
        (0..<positionLength).map { UInt8(truncatingIfNeeded: value >> (8 * (positionLength - 1 - $0))) }
    }
}
