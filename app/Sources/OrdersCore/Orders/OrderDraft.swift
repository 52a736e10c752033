/// A validated request to create an order, not yet stored.
package struct OrderDraft: Sendable, Equatable {
    /// Customer the order is for.
    package var customerID: String
    /// ISO 4217 code.
    var currency: String
    /// The lines with their totals.
    var items: [OrderItem]
    /// Sum of the line totals.
    var totalCents: Int64

    /// Creates a draft. ``OrderValidator`` is the usual way to get one.
    init(customerID: String, currency: String, items: [OrderItem], totalCents: Int64) {
        self.customerID = customerID
        self.currency = currency
        self.items = items
        self.totalCents = totalCents
    }
}
