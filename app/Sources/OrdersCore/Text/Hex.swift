/// Lower-case hexadecimal text of bytes: API key ids and digests, and the shared secrets in the stores.
package enum Hex {
    private static let digits = Array("0123456789abcdef".utf8)

    /// Two lower-case hex digits per byte.
    package static func encode(_ bytes: some Sequence<UInt8>) -> String {
        var output: [UInt8] = []
        output.reserveCapacity(bytes.underestimatedCount * 2)
        for byte in bytes {
            output.append(digits[Int(byte >> 4)])
            output.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// The bytes `text` spells in hex digits of either case, or nil when it is not an even run of them.
    package static func decode(_ text: String) -> [UInt8]? {
        let utf8 = Array(text.utf8)
        guard utf8.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(utf8.count / 2)
        var index = 0
        while index < utf8.count {
            guard let high = value(ofDigit: utf8[index]), let low = value(ofDigit: utf8[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
            index += 2
        }
        return bytes
    }

    /// Whether `text` is exactly `count` hex digits; with `lowercaseOnly`, `A`-`F` do not count as digits
    /// (W3C trace context spells its ids in lower case only).
    package static func isDigits(_ text: some StringProtocol, count: Int, lowercaseOnly: Bool = false) -> Bool {
        guard text.utf8.count == count else { return false }
        let upperCase = UInt8(ascii: "A")...UInt8(ascii: "F")
        return text.utf8.allSatisfy { value(ofDigit: $0) != nil && !(lowercaseOnly && upperCase.contains($0)) }
    }

    /// The value of one hex digit of either case, or nil.
    package static func value(ofDigit byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
