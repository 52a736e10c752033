/// Base64 with the URL-safe alphabet and no padding (RFC 4648, section 5): API key secrets and the
/// orders API's cursors are written in it.
package enum Base64URL {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    /// The unpadded base64url text of `bytes`.
    package static func encode(_ bytes: [UInt8]) -> String {
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

    /// Each byte's position in ``alphabet``, or 0xFF for a byte outside it.
    private static let positions: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (position, byte) in alphabet.enumerated() { table[Int(byte)] = UInt8(position) }
        return table
    }()

    /// The bytes `text` encodes, or nil when it is not canonical unpadded base64url.
    package static func decode(_ text: String) -> [UInt8]? {
        let count = text.utf8.count
        // One leftover character cannot encode a byte.
        guard count % 4 != 1 else { return nil }
        var output: [UInt8] = []
        output.reserveCapacity(count * 3 / 4)
        var value: UInt32 = 0
        var sextets = 0
        for byte in text.utf8 {
            let position = positions[Int(byte)]
            guard position != 0xFF else { return nil }
            value = value << 6 | UInt32(position)
            sextets += 1
            if sextets == 4 {
                output.append(UInt8(truncatingIfNeeded: value >> 16))
                output.append(UInt8(truncatingIfNeeded: value >> 8))
                output.append(UInt8(truncatingIfNeeded: value))
                value = 0
                sextets = 0
            }
        }
        // A final group of 2 or 3 characters holds 1 or 2 bytes; the bits below them must be zero, so
        // that one value has exactly one spelling.
        switch sextets {
        case 2:
            guard value & 0xF == 0 else { return nil }
            output.append(UInt8(truncatingIfNeeded: value >> 4))
        case 3:
            guard value & 0x3 == 0 else { return nil }
            output.append(UInt8(truncatingIfNeeded: value >> 10))
            output.append(UInt8(truncatingIfNeeded: value >> 2))
        default:
            break
        }
        return output
    }
}
