/// An order as a row of the `orders` table holds it, on either store: the columns the service reads
/// back, in the types they are stored with.
///
/// This is the stored representation, kept apart from the API's JSON on purpose: the API may rename or
/// add a field without changing a row, and rows written by any earlier version keep reading. A change
/// to the stored form is a migration, never a side effect of an API change.
struct StoredOrder: Sendable, Equatable {
    /// `sequence`: the store's insertion position, for newest-first pages.
    var sequence: Int64
    /// `id`: the order's UUID, lower-case.
    var id: String
    /// `customer_id`.
    var customerID: String
    /// `currency`.
    var currency: String
    /// `items`: the lines in ``StoredOrderItems``'s format.
    var items: String
    /// `total_cents`.
    var totalCents: Int64
    /// `status`.
    var status: String
    /// `created_at_ms` on SQLite, `created_at` on PostgreSQL, as milliseconds since the epoch.
    var createdAtMilliseconds: Int64
    /// `request_fingerprint`: the ``OrderFingerprint`` of the request that created the order with an
    /// idempotency key; nil without one.
    var requestFingerprint: String?

    /// The order the row holds; throws ``StoredItemsParser/Malformed`` when its items column is damaged.
    func order() throws -> Order {
        Order(
            id: id,
            customerID: customerID,
            currency: currency,
            items: try StoredOrderItems.decode(items),
            totalCents: totalCents,
            status: status,
            createdAtMilliseconds: createdAtMilliseconds,
            sequence: sequence
        )
    }
}
