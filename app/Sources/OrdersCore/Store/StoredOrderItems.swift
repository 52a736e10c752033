/// The stored form of an order's lines, the `items` column: a JSON array with one object per line,
///
///     [{"sku":"BOOK-1","quantity":2,"unit_price_cents":1250,"line_total_cents":2500}]
///
/// The member names are the storage format's own (``Key``); they are not the API's, which may change
/// independently. SQLite keeps the text as written; PostgreSQL keeps it as `jsonb` and renders it back
/// with spaces and its own key order, which ``StoredItemsParser`` reads as well.
enum StoredOrderItems {
    /// The member names of one stored line.
    enum Key {
        static let sku = "sku"
        static let quantity = "quantity"
        static let unitPriceCents = "unit_price_cents"
        static let lineTotalCents = "line_total_cents"
    }

    /// The column's text for `items`.
    static func encode(_ items: [OrderItem]) -> String {
        var column = "["
        column.reserveCapacity(2 + items.count * 96)
        for (index, item) in items.enumerated() {
            if index > 0 { column += "," }
            column += "{\"" + Key.sku + "\":"
            JSONText.appendString(item.sku, to: &column)
            column += ",\"" + Key.quantity + "\":" + String(item.quantity)
            column += ",\"" + Key.unitPriceCents + "\":" + String(item.unitPriceCents)
            column += ",\"" + Key.lineTotalCents + "\":" + String(item.lineTotalCents) + "}"
        }
        return column + "]"
    }

    /// The lines a column's text holds; throws ``StoredItemsParser/Malformed`` for anything else.
    static func decode(_ column: String) throws -> [OrderItem] {
        try StoredItemsParser.parse(column)
    }
}
