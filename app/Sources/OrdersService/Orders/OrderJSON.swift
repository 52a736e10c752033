import OrdersCore

/// The API's JSON form of orders, written by hand: an order is a few fields, and on the read path a
/// direct write is several times cheaper than a general-purpose encoder. The stores keep their own form
/// (`StoredOrderItems` in OrdersCore), so this one can change with the API alone.
enum OrderJSON {
    /// The order as the API returns it.
    static func append(_ order: Order, to output: inout String) {
        output += "{\"id\":"
        JSONText.appendString(order.id, to: &output)
        output += ",\"customer_id\":"
        JSONText.appendString(order.customerID, to: &output)
        output += ",\"currency\":"
        JSONText.appendString(order.currency, to: &output)
        output += ",\"items\":"
        appendItems(order.items, to: &output)
        output += ",\"total_cents\":\(order.totalCents),\"status\":"
        JSONText.appendString(order.status, to: &output)
        output += ",\"created_at\":\""
        output += UTCTimestamp.format(millisecondsSinceEpoch: order.createdAtMilliseconds)
        output += "\"}"
    }

    /// One order as a response body.
    static func encode(_ order: Order) -> String {
        var output = ""
        output.reserveCapacity(256 + order.items.count * 96)
        append(order, to: &output)
        return output
    }

    /// A page of orders with the cursor of the next page, or `null` on the last page.
    static func encodePage(_ orders: [Order], next: String?) -> String {
        var output = "{\"orders\":["
        output.reserveCapacity(64 + orders.count * 320)
        for (index, order) in orders.enumerated() {
            if index > 0 { output += "," }
            append(order, to: &output)
        }
        output += "],\"next\":"
        if let next {
            JSONText.appendString(next, to: &output)
        } else {
            output += "null"
        }
        output += "}"
        return output
    }

    /// The items array, as sent to clients.
    static func appendItems(_ items: [OrderItem], to output: inout String) {
        output += "["
        for (index, item) in items.enumerated() {
            if index > 0 { output += "," }
            output += "{\"sku\":"
            JSONText.appendString(item.sku, to: &output)
            output += ",\"quantity\":\(item.quantity),\"unit_price_cents\":\(item.unitPriceCents)"
            output += ",\"line_total_cents\":\(item.lineTotalCents)}"
        }
        output += "]"
    }
}
