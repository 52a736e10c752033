/// JSON text read byte by byte: the position, whitespace, and string literals with their escapes.
///
/// Both of the core's JSON readers stand on it: ``JSONParser`` for request bodies and
/// `StoredItemsParser` for the stored items column. Reading the UTF-8 bytes directly keeps each read
/// cheap, and one implementation of escapes keeps the two readers agreeing on what a string is.
struct JSONScanner {
    /// Why the text could not be read, and the byte offset where reading stopped.
    struct Failure: Error {
        /// Where reading stopped.
        let offset: Int
        /// What was wrong.
        let reason: String
    }

    /// The text.
    let bytes: [UInt8]
    /// The position of the next byte to read.
    var index = 0

    /// A scanner at the start of `bytes`.
    init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// True once every byte has been read.
    var isAtEnd: Bool { index >= bytes.count }

    /// The next byte, without reading it.
    func peek() -> UInt8? {
        index < bytes.count ? bytes[index] : nil
    }

    /// Reads the next byte.
    mutating func next() -> UInt8? {
        guard index < bytes.count else { return nil }
        defer { index += 1 }
        return bytes[index]
    }

    /// Skips spaces, tabs, line feeds and carriage returns, JSON's only whitespace.
    mutating func skipWhitespace() {
        while let byte = peek(),
            byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\n")
                || byte == UInt8(ascii: "\r")
        {
            index += 1
        }
    }

    /// A failure at the current position.
    func failure(_ reason: String) -> Failure {
        Failure(offset: min(index, bytes.count), reason: reason)
    }

    /// The text of the string literal whose opening quote is the next byte: escapes decoded, surrogate
    /// pairs joined; unescaped control characters, lone surrogates and bytes that are not UTF-8 fail.
    mutating func string() throws(Failure) -> String {
        guard next() == UInt8(ascii: "\"") else { throw failure("expected a string") }
        var text: [UInt8] = []
        while true {
            guard let byte = next() else { throw failure("unterminated string") }
            switch byte {
            case UInt8(ascii: "\""):
                guard let decoded = String(validating: text, as: UTF8.self) else {
                    throw failure("a string is not valid UTF-8")
                }
                return decoded
            case UInt8(ascii: "\\"):
                UTF8.encode(try escaped()) { text.append($0) }
            case 0..<0x20:
                throw failure("a control character in a string must be escaped")
            default:
                text.append(byte)
            }
        }
    }

    private mutating func escaped() throws(Failure) -> Unicode.Scalar {
        guard let byte = next() else { throw failure("unterminated string") }
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
            guard (0xD800..<0xDC00).contains(first) else {
                guard let scalar = Unicode.Scalar(first) else { throw failure("a lone low surrogate") }
                return scalar
            }
            guard next() == UInt8(ascii: "\\"), next() == UInt8(ascii: "u") else {
                throw failure("a high surrogate must be followed by a low one")
            }
            let second = try hexQuad()
            guard (0xDC00..<0xE000).contains(second),
                let scalar = Unicode.Scalar(0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00))
            else { throw failure("a high surrogate must be followed by a low one") }
            return scalar
        default:
            throw failure("unknown escape sequence")
        }
    }

    private mutating func hexQuad() throws(Failure) -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard let byte = next() else { throw failure("unterminated \\u escape") }
            guard let digit = Hex.value(ofDigit: byte) else { throw failure("\\u must be followed by four hex digits") }
            value = value << 4 | UInt32(digit)
        }
        return value
    }
}
