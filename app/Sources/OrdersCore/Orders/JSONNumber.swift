/// The integer value of a JSON number's text, when it has one that fits Int64: `2.0`, `2e0`, `200e-2` and
/// `-0` are integers, `2.5` and `1e19` are not. Worked out on the decimal digits, never through a Double,
/// so every Int64 stays exact.
enum JSONNumber {
    /// Int64 has at most 19 decimal digits.
    private static let maximumDigits = 19

    /// The value of `text` (a number JSON's grammar accepts) with `fractionDigits` digits after the point
    /// and `exponent` the text after `e` (empty when there is none), or nil when it is not an Int64.
    static func integerValue(_ text: String, fractionDigits: Int, exponent: String) -> Int64? {
        let negative = text.hasPrefix("-")
        let mantissa = text.prefix { $0 != "e" && $0 != "E" }.filter { $0 != "-" && $0 != "." }
        var digits = Substring(mantissa.drop { $0 == "0" })
        if digits.isEmpty { return 0 }
        // Past a billion either way, a number with a non-zero digit is no Int64: far too large, or it would
        // need more trailing zeros than any body the service reads can hold.
        let written = exponent.isEmpty ? 0 : (Int(exponent) ?? Int.max)
        guard abs(written) <= 1_000_000_000 else { return nil }
        var scale = written - fractionDigits
        while scale < 0 {
            guard digits.last == "0" else { return nil }
            digits = digits.dropLast()
            scale += 1
        }
        guard digits.count + scale <= maximumDigits,
            let magnitude = UInt64(String(digits) + String(repeating: "0", count: scale))
        else { return nil }
        if negative {
            return magnitude <= UInt64(Int64.max) + 1 ? Int64(truncatingIfNeeded: 0 &- magnitude) : nil
        }
        return magnitude <= UInt64(Int64.max) ? Int64(magnitude) : nil
    }
}
