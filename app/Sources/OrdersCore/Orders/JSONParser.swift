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

    private let bytes: [UInt8]
    private var index = 0
    /// Member names and array indexes from the top to the value being read, for error pointers.
    private var path: [String] = []

    private init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// The value `bytes` holds, or the reason it is not one.
    package static func parse(_ bytes: [UInt8]) throws(JSONParseError) -> JSONValue {
        var parser = JSONParser(bytes)
        parser.skipWhitespace()
        let value = try parser.value(depth: 0)
        parser.skipWhitespace()
        guard parser.index == bytes.count else { throw parser.malformed("unexpected text after the value") }
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
        index += 1
        var members: [String: JSONValue] = [:]
        skipWhitespace()
        if peek() == UInt8(ascii: "}") {
            index += 1
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
        index += 1
        var elements: [JSONValue] = []
        skipWhitespace()
        if peek() == UInt8(ascii: "]") {
            index += 1
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
        guard index + count <= bytes.count,
            bytes[index..<index + count].elementsEqual(UnsafeBufferPointer(start: word.utf8Start, count: count))
        else { throw malformed("unexpected character") }
        index += count
        return value
    }

    /// A string's unescaped text; `index` is at its opening quote.
    private mutating func string() throws(JSONParseError) -> String {
        index += 1
        var text: [UInt8] = []
        while true {
            guard let byte = next() else { throw malformed("unterminated string") }
            switch byte {
            case UInt8(ascii: "\""):
                guard let decoded = String(validating: text, as: UTF8.self) else {
                    throw malformed("a string is not valid UTF-8")
                }
                return decoded
            case UInt8(ascii: "\\"):
                try escape(into: &text)
            case 0..<0x20:
                throw malformed("a control character in a string must be escaped")
            default:
                text.append(byte)
            }
        }
    }

    private mutating func escape(into text: inout [UInt8]) throws(JSONParseError) {
        guard let byte = next() else { throw malformed("unterminated string") }
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): text.append(byte)
        case UInt8(ascii: "b"): text.append(0x08)
        case UInt8(ascii: "f"): text.append(0x0C)
        case UInt8(ascii: "n"): text.append(0x0A)
        case UInt8(ascii: "r"): text.append(0x0D)
        case UInt8(ascii: "t"): text.append(0x09)
        case UInt8(ascii: "u"):
            var scalar = try hexQuad()
            if (0xD800..<0xDC00).contains(scalar) {
                guard next() == UInt8(ascii: "\\"), next() == UInt8(ascii: "u") else {
                    throw malformed("a high surrogate must be followed by a low one")
                }
                let low = try hexQuad()
                guard (0xDC00..<0xE000).contains(low) else {
                    throw malformed("a high surrogate must be followed by a low one")
                }
                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
            }
            guard let unicode = Unicode.Scalar(scalar) else { throw malformed("a lone low surrogate") }
            UTF8.encode(unicode) { text.append($0) }
        default:
            throw malformed("unknown escape sequence")
        }
    }

    private mutating func hexQuad() throws(JSONParseError) -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard let byte = next() else { throw malformed("unterminated \\u escape") }
            guard let digit = Hex.value(ofDigit: byte) else {
                throw malformed("\\u must be followed by four hex digits")
            }
            value = value << 4 | UInt32(digit)
        }
        return value
    }

    /// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`, as an integer when its value is one.
    private mutating func number() throws(JSONParseError) -> JSONValue {
        let start = index
        if peek() == UInt8(ascii: "-") { index += 1 }
        let integerStart = index
        guard digits() > 0 else { throw malformed("a number needs digits") }
        if bytes[integerStart] == UInt8(ascii: "0"), index - integerStart > 1 {
            throw malformed("a number must not start with 0")
        }
        var fractionDigits = 0
        if peek() == UInt8(ascii: ".") {
            index += 1
            fractionDigits = digits()
            guard fractionDigits > 0 else { throw malformed("a number needs digits after its decimal point") }
        }
        var exponentText = ""
        if peek() == UInt8(ascii: "e") || peek() == UInt8(ascii: "E") {
            index += 1
            let exponentStart = index
            if peek() == UInt8(ascii: "+") || peek() == UInt8(ascii: "-") { index += 1 }
            guard digits() > 0 else { throw malformed("a number needs digits in its exponent") }
            exponentText = String(decoding: bytes[exponentStart..<index], as: UTF8.self)
        }
        let text = String(decoding: bytes[start..<index], as: UTF8.self)
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
        let start = index
        while let byte = peek(), byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") { index += 1 }
        return index - start
    }

    private mutating func skipWhitespace() {
        while let byte = peek(),
            byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\n")
                || byte == UInt8(ascii: "\r")
        {
            index += 1
        }
    }

    private func peek() -> UInt8? {
        index < bytes.count ? bytes[index] : nil
    }

    private mutating func next() -> UInt8? {
        guard index < bytes.count else { return nil }
        defer { index += 1 }
        return bytes[index]
    }

    /// The RFC 6901 pointer of the value being read.
    private func pointer() -> String {
        path.map { "/" + OrderValidator.escape($0) }.joined()
    }

    private func malformed(_ reason: String) -> JSONParseError {
        .malformed(offset: min(index, bytes.count), reason: reason)
    }
}
