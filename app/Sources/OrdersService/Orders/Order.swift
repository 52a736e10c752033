/// One line of an order.
public struct OrderItem: Sendable, Equatable, Codable {
    /// The product's stock-keeping unit, 1 to 64 characters.
    public var sku: String
    /// How many, 1 to 1000.
    public var quantity: Int64
    /// Price of one unit in the order's currency, in cents (minor units).
    public var unitPriceCents: Int64
    /// `quantity x unitPriceCents`, computed by the service.
    public var lineTotalCents: Int64

    enum CodingKeys: String, CodingKey {
        case sku
        case quantity
        case unitPriceCents = "unit_price_cents"
        case lineTotalCents = "line_total_cents"
    }

    /// Creates an item; the line total is given, already checked for overflow by ``OrderValidator``.
    public init(sku: String, quantity: Int64, unitPriceCents: Int64, lineTotalCents: Int64) {
        self.sku = sku
        self.quantity = quantity
        self.unitPriceCents = unitPriceCents
        self.lineTotalCents = lineTotalCents
    }
}

/// A stored order. Orders never change once created, so a copy read from any task is current.
public struct Order: Sendable, Equatable {
    /// Public identifier: a lower-case UUID.
    public var id: String
    /// Customer the order belongs to.
    public var customerID: String
    /// ISO 4217 code, three upper-case letters.
    public var currency: String
    /// The lines, in the order the client sent them.
    public var items: [OrderItem]
    /// Sum of the line totals, in cents.
    public var totalCents: Int64
    /// Lifecycle state; every order starts as `created`.
    public var status: String
    /// Creation time in milliseconds since the Unix epoch, UTC.
    public var createdAtMilliseconds: Int64
    /// Store-assigned position used for newest-first keyset pagination; never shown to clients except
    /// inside an opaque cursor.
    public var sequence: Int64

    /// Creates an order value.
    public init(
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

/// A validated request to create an order, not yet stored.
public struct OrderDraft: Sendable, Equatable {
    /// Customer the order is for.
    public var customerID: String
    /// ISO 4217 code.
    public var currency: String
    /// The lines with their totals.
    public var items: [OrderItem]
    /// Sum of the line totals.
    public var totalCents: Int64

    /// Creates a draft. ``OrderValidator`` is the usual way to get one.
    public init(customerID: String, currency: String, items: [OrderItem], totalCents: Int64) {
        self.customerID = customerID
        self.currency = currency
        self.items = items
        self.totalCents = totalCents
    }
}
