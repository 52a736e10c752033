/// Reads a request body into a ``JSONValue`` (RFC 8259), refusing what a general decoder lets through:
/// an object that names one member twice.
///
/// `{"customer_id":"c-1","customer_id":"c-2"}` means one thing to this service and another to a proxy or
/// a firewall in front of it (most parsers keep the last value, some the first), so a body like that is
/// refused with the pointer of the repeated member, whatever the two values are. Names are compared
/// after unescaping, so `"a"` and `"\u0061"` are the same member.
///
/// Numbers follow the API's rule that a number with an integer value is an integer (`2.0` and `2e0` are
/// 2): an integer within Int64 stays exact, anything else is a Double, and a number no Double can hold
/// (`1e400`) is malformed. Nesting deeper than ``maximumDepth`` is malformed too, so a hostile body
/// costs a bounded amount of stack and time.
package struct JSONParser {
    /// Deepest nesting of arrays and objects accepted; an order needs three levels.
    package static let maximumDepth = 64

    private var scanner: JSONScanner
    /// Member names and array indexes from the top to the value being read, for error pointers.
    private var path: [String] = []

    private init(_ bytes: [UInt8]) {
        scanner = JSONScanner(bytes)
    }

    /// The value `bytes` holds, or the reason it is not one.
    package static func parse(_ bytes: [UInt8]) throws(JSONParseError) -> JSONValue {
        var parser = JSONParser(bytes)
        parser.scanner.skipWhitespace()
        let value = try parser.value(depth: 0)
        parser.scanner.skipWhitespace()
        guard parser.scanner.isAtEnd else { throw parser.malformed("unexpected text after the value") }
        return value
    }

    private mutating func value(depth: Int) throws(JSONParseError) -> JSONValue {
        guard let byte = peek() else { throw malformed("unexpected end of text") }
        switch byte {
        case UInt8(ascii: "{"): return try object(depth: depth + 1)
        case UInt8(ascii: "["): return try array(depth: depth + 1)
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): return try literal("true", .bool(true))
        case UInt8(ascii: "f"): return try literal("false", .bool(false))
        case UInt8(ascii: "n"): return try literal("null", .null)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try number()
        default: throw malformed("unexpected character")
        }
    }

    private mutating func object(depth: Int) throws(JSONParseError) -> JSONValue {
        guard depth <= Self.maximumDepth else { throw malformed("nested deeper than \(Self.maximumDepth) levels") }
        scanner.index += 1
        var members: [String: JSONValue] = [:]
        skipWhitespace()
        if peek() == UInt8(ascii: "}") {
            scanner.index += 1
            return .object(members)
        }
        while true {
            skipWhitespace()
            guard peek() == UInt8(ascii: "\"") else { throw malformed("expected a member name") }
            let name = try string()
            skipWhitespace()
            guard next() == UInt8(ascii: ":") else { throw malformed("expected : after a member name") }
            skipWhitespace()
            path.append(name)
            if members[name] != nil { throw .duplicateMember(pointer: pointer()) }
            members[name] = try value(depth: depth)
            path.removeLast()
            skipWhitespace()
            switch next() {
            case UInt8(ascii: ","): continue
            case UInt8(ascii: "}"): return .object(members)
            default: throw malformed("expected , or } in an object")
            }
        }
    }

    private mutating func array(depth: Int) throws(JSONParseError) -> JSONValue {
        guard depth <= Self.maximumDepth else { throw malformed("nested deeper than \(Self.maximumDepth) levels") }
        scanner.index += 1
        var elements: [JSONValue] = []
        skipWhitespace()
        if peek() == UInt8(ascii: "]") {
            scanner.index += 1
            return .array(elements)
        }
        while true {
            skipWhitespace()
            path.append(String(elements.count))
            elements.append(try value(depth: depth))
            path.removeLast()
            skipWhitespace()
            switch next() {
            case UInt8(ascii: ","): continue
            case UInt8(ascii: "]"): return .array(elements)
            default: throw malformed("expected , or ] in an array")
            }
        }
    }

    private mutating func literal(_ word: StaticString, _ value: JSONValue) throws(JSONParseError) -> JSONValue {
        let count = word.utf8CodeUnitCount
        guard scanner.index + count <= scanner.bytes.count,
            scanner.bytes[scanner.index..<scanner.index + count].elementsEqual(
                UnsafeBufferPointer(start: word.utf8Start, count: count)
            )
        else { throw malformed("unexpected character") }
        scanner.index += count
        return value
    }

    /// A string's unescaped text; the scanner is at its opening quote.
    private mutating func string() throws(JSONParseError) -> String {
        do {
            return try scanner.string()
        } catch {
            throw .malformed(offset: error.offset, reason: error.reason)
        }
    }

    /// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`, as an integer when its value is one.
    private mutating func number() throws(JSONParseError) -> JSONValue {
        let start = scanner.index
        if peek() == UInt8(ascii: "-") { scanner.index += 1 }
        let integerStart = scanner.index
        guard digits() > 0 else { throw malformed("a number needs digits") }
        if scanner.bytes[integerStart] == UInt8(ascii: "0"), scanner.index - integerStart > 1 {
            throw malformed("a number must not start with 0")
        }
        var fractionDigits = 0
        if peek() == UInt8(ascii: ".") {
            scanner.index += 1
            fractionDigits = digits()
            guard fractionDigits > 0 else { throw malformed("a number needs digits after its decimal point") }
        }
        var exponentText = ""
        if peek() == UInt8(ascii: "e") || peek() == UInt8(ascii: "E") {
            scanner.index += 1
            let exponentStart = scanner.index
            if peek() == UInt8(ascii: "+") || peek() == UInt8(ascii: "-") { scanner.index += 1 }
            guard digits() > 0 else { throw malformed("a number needs digits in its exponent") }
            exponentText = String(decoding: scanner.bytes[exponentStart..<scanner.index], as: UTF8.self)
        }
        let text = String(decoding: scanner.bytes[start..<scanner.index], as: UTF8.self)
        if let integer = JSONNumber.integerValue(text, fractionDigits: fractionDigits, exponent: exponentText) {
            return .integer(integer)
        }
        guard let double = Double(text), double.isFinite else {
            throw malformed("a number out of range")
        }
        return .number(double)
    }

    /// Skips a run of digits and says how many there were.
    private mutating func digits() -> Int {
        let start = scanner.index
        while let byte = peek(), byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") { scanner.index += 1 }
        return scanner.index - start
    }

    private func peek() -> UInt8? {
        scanner.peek()
    }

    private mutating func next() -> UInt8? {
        scanner.next()
    }

    private mutating func skipWhitespace() {
        scanner.skipWhitespace()
    }

    /// The RFC 6901 pointer of the value being read.
    private func pointer() -> String {
        path.map { "/" + OrderValidator.escape($0) }.joined()
    }

    private func malformed(_ reason: String) -> JSONParseError {
        let failure = scanner.failure(reason)
        return .malformed(offset: failure.offset, reason: failure.reason)
    }
}
