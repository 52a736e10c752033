import Testing

@testable import OrdersCore

@Suite("Reading request bodies as JSON")
struct JSONParserTests {
    private func parse(_ text: String) throws(JSONParseError) -> JSONValue {
        try JSONParser.parse(Array(text.utf8))
    }

    @Test(
        "an object that names a member twice is refused with that member's pointer, whatever the values",
        arguments: [
            (#"{"a":1,"a":1}"#, "/a"),
            (#"{"customer_id":"c-1","customer_id":"c-2"}"#, "/customer_id"),
            (#"{"customer_id":"c-1","customer_id":7}"#, "/customer_id"),
            (#"{"a":{"b":[1,2]},"a":null}"#, "/a"),
            (#"{"customer_id":"c-1","customer\u005fid":"c-2"}"#, "/customer_id"),
            (#"{"items":[{"sku":"A"},{"sku":"B","sku":"C"}]}"#, "/items/1/sku"),
            (#"{"a/b":{"c~d":1,"c~d":2}}"#, "/a~1b/c~0d"),
        ]
    )
    func duplicateMembers(text: String, pointer: String) {
        #expect(throws: JSONParseError.duplicateMember(pointer: pointer)) { try parse(text) }
    }

    @Test("the same name in different objects is not a duplicate")
    func sameNameInSiblings() throws {
        let value = try parse(#"{"items":[{"sku":"A"},{"sku":"B"}],"sku":"C"}"#)
        guard case .object(let members) = value, case .array(let items) = members["items"] else {
            Issue.record("not an object with items: \(value)")
            return
        }
        #expect(items == [.object(["sku": .string("A")]), .object(["sku": .string("B")])])
        #expect(members["sku"] == .string("C"))
    }

    @Test(
        "a number with an integer value is an exact Int64; any other is a Double",
        arguments: [
            ("2", JSONValue.integer(2)), ("-0", .integer(0)), ("2.0", .integer(2)), ("2e0", .integer(2)),
            ("1E2", .integer(100)), ("200e-2", .integer(2)), ("0.0e5", .integer(0)),
            ("9223372036854775807", .integer(Int64.max)), ("-9223372036854775808", .integer(Int64.min)),
            ("9223372036854775808", .number(9_223_372_036_854_775_808)), ("2.5", .number(2.5)),
            ("1e19", .number(1e19)), ("1e-999999999999", .number(0)), ("-1.25e1", .number(-12.5)),
        ]
    )
    func numbers(text: String, expected: JSONValue) throws {
        #expect(try parse(text) == expected)
    }

    @Test("strings are unescaped, surrogate pairs joined, and UTF-8 kept")
    func strings() throws {
        #expect(try parse(#""a\"b\\c\/d\b\f\n\r\t""#) == .string("a\"b\\c/d\u{08}\u{0C}\n\r\t"))
        #expect(try parse(#""\u00e9\ud83e\uddfe €""#) == .string("é🧾 €"))
    }

    @Test(
        "anything that is not JSON is malformed",
        arguments: [
            "", " ", "{", "[1,]", "{\"a\":1,}", "{\"a\" 1}", "{1:2}", "01", "1.", ".5", "-", "1e", "+1", "NaN",
            "tru", "nul", "\"unterminated", "\"\\x\"", "\"\\u12\"", "\"\\ud800\"", "\"\\udc00\"", "\"tab\there\"",
            "1e400", "-1e400", "{} {}", "[1] x", "'a'",
        ]
    )
    func malformed(text: String) {
        #expect(throws: JSONParseError.self) { try parse(text) }
    }

    @Test("bytes that are not UTF-8 inside a string are malformed")
    func invalidUTF8() {
        #expect(throws: JSONParseError.self) { try JSONParser.parse([0x22, 0xC3, 0x28, 0x22]) }
    }

    @Test("nesting is accepted to 64 levels and refused beyond, however deep the body goes")
    func depth() throws {
        let deepest =
            String(repeating: "[", count: JSONParser.maximumDepth)
            + String(repeating: "]", count: JSONParser.maximumDepth)
        _ = try parse(deepest)
        for depth in [JSONParser.maximumDepth + 1, 100_000] {
            let text = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
            #expect(throws: JSONParseError.self) { try parse(text) }
        }
    }
}
