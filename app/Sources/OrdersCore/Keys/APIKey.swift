import Crypto

/// The form of an API key: `ord_live_<key id>_<secret>`.
///
/// The key id (16 hex digits) is public: it names the key in logs and in `keys list`. The secret is 32
/// random bytes in base64url, 256 bits, far beyond guessing; the service stores only its SHA-256, which
/// is enough for a secret of that entropy (a slow password hash protects low-entropy passwords, not
/// random keys).
package enum APIKey {
    /// Every key starts with this.
    static let prefix = "ord_live_"

    /// A new random key: the full token to hand out once, its id, and the digest to store.
    package static func generate() -> (token: String, keyID: String, secretDigest: String) {
        var generator = SystemRandomNumberGenerator()
        let idBytes = (0..<8).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        let secretBytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        let keyID = Hex.encode(idBytes)
        let secret = Base64URL.encode(secretBytes)
        return (prefix + keyID + "_" + secret, keyID, digest(ofSecret: secret))
    }

    /// Splits a presented token into id and secret, or nil when it is not of the key's form.
    package static func parse(_ token: String) -> (keyID: String, secret: String)? {
        guard token.utf8.count == prefix.utf8.count + 16 + 1 + 43, token.hasPrefix(prefix) else { return nil }
        let rest = token.dropFirst(prefix.count)
        let keyID = String(rest.prefix(16))
        let separator = rest.dropFirst(16).first
        let secret = String(rest.dropFirst(17))
        guard separator == "_", keyID.utf8.allSatisfy(isLowerHex), Base64URL.decode(secret)?.count == 32 else {
            return nil
        }
        return (keyID, secret)
    }

    /// Hex SHA-256 of a secret, as stored.
    package static func digest(ofSecret secret: String) -> String {
        Hex.encode(SHA256.hash(data: Array(secret.utf8)))
    }

    /// Compares two digests in time that depends only on their length, so response timing tells an
    /// attacker nothing about how much of a guess was right.
    package static func constantTimeEquals(_ left: String, _ right: String) -> Bool {
        let a = Array(left.utf8)
        let b = Array(right.utf8)
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for index in 0..<a.count { difference |= a[index] ^ b[index] }
        return difference == 0
    }

    private static func isLowerHex(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || (byte >= 0x61 && byte <= 0x66)
    }
}
