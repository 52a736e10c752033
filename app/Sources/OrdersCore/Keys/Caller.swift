/// Who is calling the orders API: the API key they presented, and the customer it is bound to.
package struct Caller: Sendable, Equatable {
    /// The key's public id: safe to log, never enough to authenticate.
    package var keyID: String
    /// The customer whose orders this key may see and create; nil for an admin key, which reads all.
    package var customerID: String?

    /// Creates a caller.
    package init(keyID: String, customerID: String?) {
        self.keyID = keyID
        self.customerID = customerID
    }

    /// The space idempotency keys are unique in: per customer, so that two customers (or one customer's
    /// two keys) can use the same key without colliding, and per key for admins.
    package var idempotencyScope: String {
        customerID.map { "customer:" + $0 } ?? "admin:" + keyID
    }
}
