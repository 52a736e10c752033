import Testing

@testable import OrdersCore
@testable import OrdersService

/// The byte-level readers on every authenticated request: base64url (an API key's secret, a page
/// cursor) and the `Authorization: Bearer` header.
@Suite("Token text")
struct TokenTextTests {
    /// Base64url decoding as the definition reads: each character's place in the alphabet, 6 bits each,
    /// and only the canonical spelling of a value (re-encoding gives the text back).
    private static func referenceDecode(_ text: String) -> [UInt8]? {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)
        var bits: [Bool] = []
        for byte in text.utf8 {
            guard let position = alphabet.firstIndex(of: byte) else { return nil }
            bits += (0..<6).map { position >> (5 - $0) & 1 == 1 }
        }
        guard text.utf8.count % 4 != 1 else { return nil }
        let bytes = stride(from: 0, to: bits.count - 7, by: 8).map { start in
            bits[start..<start + 8].reduce(UInt8(0)) { $0 << 1 | ($1 ? 1 : 0) }
        }
        return Base64URL.encode(bytes) == text ? bytes : nil
    }

    @Test("base64url: every byte string of 0 to 40 bytes comes back from its text")
    func roundTrip() {
        var generator = SystemRandomNumberGenerator()
        for count in 0...40 {
            for _ in 0..<25 {
                let bytes = (0..<count).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
                #expect(Base64URL.decode(Base64URL.encode(bytes)) == bytes)
            }
        }
    }

    @Test("base64url: agrees with the definition on 20,000 random texts, canonical or not")
    func agreesWithDefinition() {
        var generator = SystemRandomNumberGenerator()
        let characters = Array("AQgwBCDabz09-_+/= .é")
        var disagreements: [String] = []
        var decoded = 0
        for _ in 0..<20_000 {
            let count = Int.random(in: 0...12, using: &generator)
            let text = String((0..<count).map { _ in characters.randomElement(using: &generator)! })
            let expected = Self.referenceDecode(text)
            if Base64URL.decode(text) != expected { disagreements.append(text) }
            if expected != nil { decoded += 1 }
        }
        #expect(disagreements.isEmpty, "\(disagreements.count) disagreements, such as \(disagreements.prefix(3))")
        #expect(decoded > 500 && decoded < 19_000, "the sample needs both kinds: \(decoded) decoded")
    }

    @Test(
        "a bearer token is read whatever the scheme's case and the spaces around it",
        arguments: [
            ("Bearer abc", "abc"), ("bearer abc", "abc"), ("BEARER abc", "abc"), ("bEaReR a.b-c_d", "a.b-c_d"),
            ("  Bearer   abc  ", "abc"),
        ]
    )
    func bearer(_ header: String, _ token: String) {
        #expect(APIKeyAuthenticator.bearerToken(header) == token)
    }

    @Test(
        "anything else is no bearer token",
        arguments: [
            "", "Bearer", "Bearer ", "Bearer a b", "Basic abc", "Bearerabc", "Bearer\tabc", "Bearers abc",
            "Bear abc", "Bearer\u{0}abc", "Béarer abc", "Bearer " + String(repeating: "a", count: 200),
        ]
    )
    func notBearer(_ header: String) {
        #expect(APIKeyAuthenticator.bearerToken(header) == nil)
    }
}
