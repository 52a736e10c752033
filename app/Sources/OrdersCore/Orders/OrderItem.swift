/// One line of an order.
package struct OrderItem: Sendable, Equatable {
    /// The product's stock-keeping unit, 1 to 64 characters.
    package var sku: String
    /// How many, 1 to 1000.
    package var quantity: Int64
    /// Price of one unit in the order's currency, in cents (minor units).
    package var unitPriceCents: Int64
    /// `quantity x unitPriceCents`, computed by the service.
    package var lineTotalCents: Int64

    /// Creates an item; the line total is given, already checked for overflow by ``OrderValidator``.
    init(sku: String, quantity: Int64, unitPriceCents: Int64, lineTotalCents: Int64) {
        self.sku = sku
        self.quantity = quantity
        self.unitPriceCents = unitPriceCents
        self.lineTotalCents = lineTotalCents
    }
}
