import Testing

@testable import OrdersCore

@Suite("Items column parsing")
struct StoredItemsParserTests {
    static let awkwardSKUs = [
        "BOOK-1", "quote \" and backslash \\", "slash / tab \t newline \n", "\u{01} control", "ünïcödé €",
        "emoji 🧾 astral", "  spaces  ", String(repeating: "x", count: 64), "\u{7F} delete", "\\u0041 literal",
    ]

    @Test("what the service writes reads back the same, whatever the SKU holds", arguments: awkwardSKUs)
    func roundTrip(sku: String) throws {
        let items = [
            OrderItem(sku: sku, quantity: 3, unitPriceCents: 1250, lineTotalCents: 3750),
            OrderItem(sku: "B", quantity: 1000, unitPriceCents: 0, lineTotalCents: 0),
            OrderItem(sku: "C", quantity: 1, unitPriceCents: Int64.max, lineTotalCents: Int64.max),
        ]
        #expect(try StoredItemsParser.parse(StoredOrderItems.encode(items)) == items)
    }

    @Test("PostgreSQL's jsonb rendering reads back too: spaces, its own key order, escapes")
    func jsonbRendering() throws {
        let text = #"""
            [{"sku": "A\"B\u00e9\ud83e\uddfe", "quantity": 2, "line_total_cents": 200, "unit_price_cents": 100}, \#
            {"sku": "C", "quantity": 1, "line_total_cents": 5, "unit_price_cents": 5}]
            """#
        let items = try StoredItemsParser.parse(text)
        #expect(
            items == [
                OrderItem(sku: "A\"Bé🧾", quantity: 2, unitPriceCents: 100, lineTotalCents: 200),
                OrderItem(sku: "C", quantity: 1, unitPriceCents: 5, lineTotalCents: 5),
            ]
        )
        #expect(try StoredItemsParser.parse("[]") == [])
    }

    @Test(
        "anything but an items array is an error, never a guess",
        arguments: [
            "", "[", "{}", "[{}]", #"[{"sku":"a","quantity":1,"unit_price_cents":1}]"#,
            #"[{"sku":"a","quantity":1,"unit_price_cents":1,"line_total_cents":1,"extra":1}]"#,
            #"[{"sku":"a","quantity":"1","unit_price_cents":1,"line_total_cents":1}]"#,
            #"[{"sku":"a","quantity":99999999999999999999,"unit_price_cents":1,"line_total_cents":1}]"#,
            #"[{"sku":"a\q","quantity":1,"unit_price_cents":1,"line_total_cents":1}]"#,
            #"[{"sku":"\ud800","quantity":1,"unit_price_cents":1,"line_total_cents":1}]"#,
            #"[{"sku":"a","quantity":1,"unit_price_cents":1,"line_total_cents":1}] x"#,
            "[{\"sku\":\"a\u{01}\",\"quantity\":1,\"unit_price_cents\":1,\"line_total_cents\":1}]",
        ]
    )
    func malformed(text: String) {
        #expect(throws: StoredItemsParser.Malformed.self) { try StoredItemsParser.parse(text) }
    }
}
