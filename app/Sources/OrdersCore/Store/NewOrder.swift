/// An order about to be stored: the validated draft plus what the service assigns.
package struct NewOrder: Sendable, Equatable {
    /// The new order's public id.
    var id: String
    /// What the client asked for.
    var draft: OrderDraft
    /// Creation time, in milliseconds since the epoch.
    var createdAtMilliseconds: Int64

    /// Creates a new order.
    package init(id: String, draft: OrderDraft, createdAtMilliseconds: Int64) {
        self.id = id
        self.draft = draft
        self.createdAtMilliseconds = createdAtMilliseconds
    }

    /// The order as the store holds it once its insert succeeded: the inserted values, with the position
    /// the store assigned. Nothing is parsed back from the row, which holds exactly these values.
    func created(sequence: Int64) -> Order {
        Order(
            id: id,
            customerID: draft.customerID,
            currency: draft.currency,
            items: draft.items,
            totalCents: draft.totalCents,
            status: "created",
            createdAtMilliseconds: createdAtMilliseconds,
            sequence: sequence
        )
    }
}
