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

    private var scanner: JSONScanner

    private init(_ text: String) {
        scanner = JSONScanner(Array(text.utf8))
    }

    /// The items `text` holds.
    static func parse(_ text: String) throws -> [OrderItem] {
        var parser = StoredItemsParser(text)
        let items = try parser.array()
        parser.skipWhitespace()
        guard parser.scanner.isAtEnd else { throw parser.malformed("text after the array") }
        return items
    }

    private mutating func array() throws -> [OrderItem] {
        try expect(UInt8(ascii: "["))
        var items: [OrderItem] = []
        skipWhitespace()
        if peek() == UInt8(ascii: "]") {
            scanner.index += 1
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
        skipWhitespace()
        do {
            return try scanner.string()
        } catch {
            throw Malformed(description: "items column at byte \(error.offset): \(error.reason)")
        }
    }

    private mutating func integer() throws -> Int64 {
        skipWhitespace()
        let negative = peek() == UInt8(ascii: "-")
        if negative { scanner.index += 1 }
        var value: Int64 = 0
        var digits = 0
        while let byte = peek(), byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") {
            let (shifted, overflowA) = value.multipliedReportingOverflow(by: 10)
            let (added, overflowB) = shifted.addingReportingOverflow(Int64(byte - UInt8(ascii: "0")))
            guard !overflowA, !overflowB else { throw malformed("integer out of range") }
            value = added
            digits += 1
            scanner.index += 1
        }
        guard digits > 0 else { throw malformed("expected an integer") }
        return negative ? -value : value
    }

    private mutating func expect(_ byte: UInt8) throws {
        skipWhitespace()
        guard next() == byte else { throw malformed("expected \(Character(Unicode.Scalar(byte)))") }
    }

    private mutating func skipWhitespace() {
        scanner.skipWhitespace()
    }

    private func peek() -> UInt8? {
        scanner.peek()
    }

    private mutating func next() -> UInt8? {
        scanner.next()
    }

    private func malformed(_ reason: String) -> Malformed {
        Malformed(description: "items column at byte \(scanner.index): \(reason)")
    }
}
