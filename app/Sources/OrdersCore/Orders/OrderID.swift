/// An order's id as the API spells it: a UUID in its 36-character text form (`8-4-4-4-12` hex digits),
/// in lower case whatever case the client used.
///
/// The text is checked and lowered in one pass over its bytes, without building a `UUID` and printing it
/// again: a `GET /orders/{id}` took both steps on every request, and Foundation's parser runs `sscanf`.
package enum OrderID {
    /// `text` in lower case when it is a UUID's text form, else nil.
    package static func canonical(_ text: String) -> String? {
        var text = text
        let lowered = text.withUTF8 { bytes in
            guard bytes.count == 36 else { return "" }
            return String(unsafeUninitializedCapacity: 36) { output in
                for index in 0..<36 {
                    let byte = bytes[index]
                    if index == 8 || index == 13 || index == 18 || index == 23 {
                        guard byte == UInt8(ascii: "-") else { return 0 }
                        output[index] = byte
                    } else {
                        guard Hex.value(ofDigit: byte) != nil else { return 0 }
                        // Digits keep their value with the 0x20 bit set; A-F become a-f.
                        output[index] = byte | 0x20
                    }
                }
                return 36
            }
        }
        return lowered.isEmpty ? nil : lowered
    }
}
