/// A stored order. Orders never change once created, so a copy read from any task is current.
package struct Order: Sendable, Equatable {
    /// Public identifier: a lower-case UUID.
    package var id: String
    /// Customer the order belongs to.
    package var customerID: String
    /// ISO 4217 code, three upper-case letters.
    package var currency: String
    /// The lines, in the order the client sent them.
    package var items: [OrderItem]
    /// Sum of the line totals, in cents.
    package var totalCents: Int64
    /// Lifecycle state; every order starts as `created`.
    package var status: String
    /// Creation time in milliseconds since the Unix epoch, UTC.
    package var createdAtMilliseconds: Int64
    /// Store-assigned position used for newest-first keyset pagination; never shown to clients except
    /// inside an opaque cursor.
    package var sequence: Int64

    /// Creates an order value.
    init(
        id: String,
        customerID: String,
        currency: String,
        items: [OrderItem],
        totalCents: Int64,
        status: String,
        createdAtMilliseconds: Int64,
        sequence: Int64
    ) {
        self.id = id
        self.customerID = customerID
        self.currency = currency
        self.items = items
        self.totalCents = totalCents
        self.status = status
        self.createdAtMilliseconds = createdAtMilliseconds
        self.sequence = sequence
    }
}
