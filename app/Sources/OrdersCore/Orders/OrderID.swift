/// An order's id as the API spells it: a UUID in its 36-character text form (`8-4-4-4-12` hex digits),
/// in lower case whatever case the client used.
///
/// The text is checked and lowered in one pass over its bytes, without building a `UUID` and printing it
/// again: a `GET /orders/{id}` took both steps on every request, and Foundation's parser runs `sscanf`.
package enum OrderID {
    /// `text` in lower case when it is a UUID's text form, else nil.
    package static func canonical(_ text: some StringProtocol) -> String? {
        guard text.utf8.count == 36 else { return nil }
        var lowered: [UInt8] = []
        lowered.reserveCapacity(36)
        for (offset, byte) in text.utf8.enumerated() {
            if offset == 8 || offset == 13 || offset == 18 || offset == 23 {
                guard byte == UInt8(ascii: "-") else { return nil }
                lowered.append(byte)
            } else {
                guard Hex.value(ofDigit: byte) != nil else { return nil }
                lowered.append(byte | 0x20)
            }
        }
        return String(decoding: lowered, as: UTF8.self)
    }

}
