/// Small helpers that write JSON text directly, used where a line is built on every request (logs,
/// problem bodies) and an encoder would cost more than the work it does.
package enum JSONText {
    /// Appends `value` as a quoted JSON string, escaping quotes, backslashes and control characters.
    package static func appendString(_ value: String, to output: inout String) {
        output += "\""
        // Nearly every string (ids, names, SKUs) needs no escape: it is appended whole. A lead byte of
        // 0xE2 may begin U+2028 or U+2029, so it takes the careful path too.
        if value.utf8.contains(where: { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C || $0 == 0x7F || $0 == 0xE2 }) {
            appendEscaping(value, to: &output)
        } else {
            output += value
        }
        output += "\""
    }

    /// Appends `value`'s scalars one by one, escaping those JSON or JavaScript must not see raw.
    private static func appendEscaping(_ value: String, to output: inout String) {
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": output += "\\\""
            case "\\": output += "\\\\"
            case "\n": output += "\\n"
            case "\r": output += "\\r"
            case "\t": output += "\\t"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F || scalar.value == 0x2028 || scalar.value == 0x2029 {
                    let hex = String(scalar.value, radix: 16)
                    output += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    output.unicodeScalars.append(scalar)
                }
            }
        }
    }

    /// `value` with control characters written as escapes, so one log event stays on one text line.
    package static func escapingControlCharacters(_ value: String) -> String {
        guard value.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else { return value }
        var quoted = ""
        appendString(value, to: &quoted)
        return String(quoted.dropFirst().dropLast())
    }
}
