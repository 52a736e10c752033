/// What ``OrderStore/create(_:idempotency:)`` did.
package enum OrderCreation: Sendable, Equatable {
    /// A new order was stored.
    case created(Order)
    /// The key was used before with the same request: this is the order it created.
    case replayed(Order)
    /// The key was used before with a different request.
    case keyReused
}
