import Crypto

/// A digest of what an order request asks for, stored with its idempotency key: a retry whose body means
/// the same order (whatever its whitespace or field order) has the same fingerprint; any other body does
/// not, and reusing the key for it is refused.
package enum OrderFingerprint {
    /// The fingerprint of `draft`: hex SHA-256 of its canonical form.
    package static func of(_ draft: OrderDraft) -> String {
        var canonical = "v1\u{1F}\(draft.customerID)\u{1F}\(draft.currency)"
        for item in draft.items {
            canonical += "\u{1E}\(item.sku)\u{1F}\(item.quantity)\u{1F}\(item.unitPriceCents)"
        }
        let digest = SHA256.hash(data: Array(canonical.utf8))
        return digest.map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }
}
