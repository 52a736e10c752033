/// The opaque `after` cursor of `GET /orders`: a base64url string that names the last order of the
/// previous page. Clients pass it back unchanged; anything else is a 400.
public struct OrderCursor: Sendable, Equatable {
    /// The store position of the last order already returned.
    public var sequence: Int64

    private static let prefix = "o1:"

    /// A cursor that continues after `sequence`.
    public init(sequence: Int64) {
        self.sequence = sequence
    }

    /// Parses a cursor a client sent, or nil when it is not one this service issued.
    public init?(token: String) {
        guard token.utf8.count <= 64, let decoded = Base64URL.decode(token),
            let text = String(validating: decoded, as: UTF8.self), text.hasPrefix(Self.prefix),
            let sequence = Int64(text.dropFirst(Self.prefix.count)), sequence > 0
        else { return nil }
        self.sequence = sequence
    }

    /// The token to send to the client.
    public var token: String {
        Base64URL.encode(Array((Self.prefix + String(sequence)).utf8))
    }
}

/// Base64 with the URL-safe alphabet and no padding (RFC 4648, section 5).
enum Base64URL {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    static func encode(_ bytes: [UInt8]) -> String {
        var output: [UInt8] = []
        output.reserveCapacity((bytes.count * 4 + 2) / 3)
        var index = 0
        while index < bytes.count {
            let chunk = bytes[index..<min(index + 3, bytes.count)]
            var value: UInt32 = 0
            for (offset, byte) in chunk.enumerated() { value |= UInt32(byte) << (16 - 8 * offset) }
            for position in 0..<(chunk.count + 1) {
                output.append(alphabet[Int((value >> (18 - 6 * position)) & 0x3F)])
            }
            index += 3
        }
        return String(decoding: output, as: UTF8.self)
    }

    static func decode(_ text: String) -> [UInt8]? {
        var values: [UInt8] = []
        for byte in text.utf8 {
            guard let position = alphabet.firstIndex(of: byte) else { return nil }
            values.append(UInt8(position))
        }
        guard values.count % 4 != 1 else { return nil }
        var output: [UInt8] = []
        var index = 0
        while index < values.count {
            let chunk = values[index..<min(index + 4, values.count)]
            var value: UInt32 = 0
            for (offset, sextet) in chunk.enumerated() { value |= UInt32(sextet) << (18 - 6 * offset) }
            for position in 0..<(chunk.count - 1) {
                output.append(UInt8((value >> (16 - 8 * position)) & 0xFF))
            }
            index += 4
        }
        // Reject non-canonical encodings, so that one cursor has exactly one spelling.
        return encode(output) == text ? output : nil
    }
}
