/// Reads the `items` column back into ``OrderItem``s: a JSON array of flat objects whose values are
/// strings or integers, as ``StoredOrderItems/encode(_:)`` writes it, or as PostgreSQL's `jsonb`
/// renders it (spaces after separators, keys in its own order).
///
/// Every order read parses this column, so it is parsed directly from the UTF-8 bytes; a general
/// decoder cost about as much as the rest of the read. Anything that is not such an array is an error:
/// the column is the service's own output, so a mismatch means a damaged row, never client input.
struct StoredItemsParser {
    /// The column's text is not an items array.
    struct Malformed: Error, CustomStringConvertible {
        /// Where parsing stopped, as a byte offset, and why.
        let description: String
    }

    private let bytes: [UInt8]
    private var index = 0

    private init(_ text: String) {
        bytes = Array(text.utf8)
    }

    /// The items `text` holds.
    static func parse(_ text: String) throws -> [OrderItem] {
        var parser = StoredItemsParser(text)
        let items = try parser.array()
        parser.skipWhitespace()
        guard parser.index == parser.bytes.count else { throw parser.malformed("text after the array") }
        return items
    }

    private mutating func array() throws -> [OrderItem] {
        try expect(UInt8(ascii: "["))
        var items: [OrderItem] = []
        skipWhitespace()
        if peek() == UInt8(ascii: "]") {
            index += 1
            return items
        }
        while true {
            items.append(try item())
            skipWhitespace()
            guard let next = next() else { throw malformed("unterminated array") }
            if next == UInt8(ascii: "]") { return items }
            guard next == UInt8(ascii: ",") else { throw malformed("expected , or ]") }
        }
    }

    private mutating func item() throws -> OrderItem {
        try expect(UInt8(ascii: "{"))
        var sku: String?
        var quantity: Int64?
        var unitPrice: Int64?
        var lineTotal: Int64?
        while true {
            let key = try string()
            try expect(UInt8(ascii: ":"))
            switch key {
            case StoredOrderItems.Key.sku: sku = try string()
            case StoredOrderItems.Key.quantity: quantity = try integer()
            case StoredOrderItems.Key.unitPriceCents: unitPrice = try integer()
            case StoredOrderItems.Key.lineTotalCents: lineTotal = try integer()
            default: throw malformed("unknown key \(key)")
            }
            skipWhitespace()
            guard let next = next() else { throw malformed("unterminated object") }
            if next == UInt8(ascii: "}") { break }
            guard next == UInt8(ascii: ",") else { throw malformed("expected , or }") }
        }
        guard let sku, let quantity, let unitPrice, let lineTotal else { throw malformed("an item lacks a key") }
        return OrderItem(sku: sku, quantity: quantity, unitPriceCents: unitPrice, lineTotalCents: lineTotal)
    }

    private mutating func string() throws -> String {
        try expect(UInt8(ascii: "\""))
        var result = ""
        var runStart = index
        while true {
            guard let byte = next() else { throw malformed("unterminated string") }
            if byte == UInt8(ascii: "\"") {
                result += String(decoding: bytes[runStart..<(index - 1)], as: UTF8.self)
                return result
            }
            if byte == UInt8(ascii: "\\") {
                // What came before the escape is kept as is, then the escaped character.
                result += String(decoding: bytes[runStart..<(index - 1)], as: UTF8.self)
                result.unicodeScalars.append(try escaped())
                runStart = index
                continue
            }
            guard byte >= 0x20 else { throw malformed("control character in a string") }
        }
    }

    private mutating func escaped() throws -> Unicode.Scalar {
        guard let byte = next() else { throw malformed("unterminated escape") }
        switch byte {
        case UInt8(ascii: "\""): return "\""
        case UInt8(ascii: "\\"): return "\\"
        case UInt8(ascii: "/"): return "/"
        case UInt8(ascii: "b"): return "\u{08}"
        case UInt8(ascii: "f"): return "\u{0C}"
        case UInt8(ascii: "n"): return "\n"
        case UInt8(ascii: "r"): return "\r"
        case UInt8(ascii: "t"): return "\t"
        case UInt8(ascii: "u"):
            let first = try hexQuad()
            guard (0xD800...0xDBFF).contains(first) else {
                guard let scalar = Unicode.Scalar(first) else { throw malformed("lone low surrogate") }
                return scalar
            }
            guard next() == UInt8(ascii: "\\"), next() == UInt8(ascii: "u") else {
                throw malformed("high surrogate without its pair")
            }
            let second = try hexQuad()
            guard (0xDC00...0xDFFF).contains(second),
                let scalar = Unicode.Scalar(0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00))
            else { throw malformed("bad surrogate pair") }
            return scalar
        default: throw malformed("unknown escape")
        }
    }

    private mutating func hexQuad() throws -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard let byte = next() else { throw malformed("short \\u escape") }
            guard let digit = Hex.value(ofDigit: byte) else { throw malformed("bad hex digit") }
            value = value << 4 | UInt32(digit)
        }
        return value
    }

    private mutating func integer() throws -> Int64 {
        skipWhitespace()
        let negative = peek() == UInt8(ascii: "-")
        if negative { index += 1 }
        var value: Int64 = 0
        var digits = 0
        while let byte = peek(), byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") {
            let (shifted, overflowA) = value.multipliedReportingOverflow(by: 10)
            let (added, overflowB) = shifted.addingReportingOverflow(Int64(byte - UInt8(ascii: "0")))
            guard !overflowA, !overflowB else { throw malformed("integer out of range") }
            value = added
            digits += 1
            index += 1
        }
        guard digits > 0 else { throw malformed("expected an integer") }
        return negative ? -value : value
    }

    private mutating func expect(_ byte: UInt8) throws {
        skipWhitespace()
        guard next() == byte else { throw malformed("expected \(Character(Unicode.Scalar(byte)))") }
    }

    private mutating func skipWhitespace() {
        while let byte = peek(), byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 { index += 1 }
    }

    private func peek() -> UInt8? {
        index < bytes.count ? bytes[index] : nil
    }

    private mutating func next() -> UInt8? {
        guard index < bytes.count else { return nil }
        defer { index += 1 }
        return bytes[index]
    }

    private func malformed(_ reason: String) -> Malformed {
        Malformed(description: "items column at byte \(index): \(reason)")
    }
}
