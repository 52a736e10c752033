/// Every rule a body broke, as the failure of ``OrderValidator/validate(_:defaultCustomerID:)``.
package struct ValidationFailure: Error {
    /// Each broken rule, with the pointer to the value that broke it.
    package let errors: [FieldError]
}

/// Checks a create-order body against every rule of the API and computes the totals, collecting every
/// error rather than stopping at the first.
package enum OrderValidator {
    /// Limits of the API, shared with the OpenAPI document (a contract test compares them).
    enum Limits {
        /// Longest `customer_id` and `sku`, in characters.
        static let maxIdentifierLength = 64
        /// Fewest and most items in one order.
        static let itemCount = 1...100
        /// Allowed quantities.
        static let quantity: ClosedRange<Int64> = 1...1000
    }

    private static let topLevelFields: Set<String> = ["customer_id", "currency", "items"]
    private static let itemFields: Set<String> = ["sku", "quantity", "unit_price_cents"]

    /// Validates `body`. `customerID`, when given, is the customer the caller is bound to: the body may
    /// leave `customer_id` out and gets this one. Whether a given `customer_id` may be used by the caller is
    /// the caller's decision, not a validation rule.
    package static func validate(
        _ body: JSONValue,
        defaultCustomerID: String? = nil
    ) -> Result<OrderDraft, ValidationFailure> {
        guard case .object(let fields) = body else {
            return .failure(
                ValidationFailure(errors: [
                    FieldError(pointer: "", detail: "must be a JSON object, not \(body.typeName)")
                ])
            )
        }
        var errors: [FieldError] = []
        for key in fields.keys.sorted() where !topLevelFields.contains(key) {
            errors.append(FieldError(pointer: "/" + escape(key), detail: "is not a field of an order"))
        }

        var customerID = defaultCustomerID
        if let value = fields["customer_id"] {
            customerID = identifier(value, pointer: "/customer_id", errors: &errors)
        } else if defaultCustomerID == nil {
            errors.append(FieldError(pointer: "/customer_id", detail: "is required"))
        }

        var currency: String?
        switch fields["currency"] {
        case .none:
            errors.append(FieldError(pointer: "/currency", detail: "is required"))
        case .string(let text) where isCurrencyCode(text):
            currency = text
        case .string:
            errors.append(
                FieldError(pointer: "/currency", detail: "must be three upper-case letters (ISO 4217), such as EUR")
            )
        case .some(let other):
            errors.append(FieldError(pointer: "/currency", detail: "must be a string, not \(other.typeName)"))
        }

        let items = validateItems(fields["items"], errors: &errors)

        guard errors.isEmpty, let customerID, let currency, let items else {
            return .failure(ValidationFailure(errors: errors))
        }
        var total: Int64 = 0
        for item in items {
            let (sum, overflow) = total.addingReportingOverflow(item.lineTotalCents)
            if overflow {
                return .failure(
                    ValidationFailure(errors: [
                        FieldError(pointer: "/items", detail: "the order total exceeds \(Int64.max) cents")
                    ])
                )
            }
            total = sum
        }
        return .success(OrderDraft(customerID: customerID, currency: currency, items: items, totalCents: total))
    }

    private static func validateItems(_ value: JSONValue?, errors: inout [FieldError]) -> [OrderItem]? {
        guard let value else {
            errors.append(FieldError(pointer: "/items", detail: "is required"))
            return nil
        }
        guard case .array(let elements) = value else {
            errors.append(FieldError(pointer: "/items", detail: "must be an array, not \(value.typeName)"))
            return nil
        }
        guard Limits.itemCount.contains(elements.count) else {
            errors.append(
                FieldError(
                    pointer: "/items",
                    detail:
                        "must hold \(Limits.itemCount.lowerBound) to \(Limits.itemCount.upperBound) items, not \(elements.count)"
                )
            )
            return nil
        }
        var items: [OrderItem] = []
        let errorsBefore = errors.count
        for (index, element) in elements.enumerated() {
            if let item = validateItem(element, pointer: "/items/\(index)", errors: &errors) {
                items.append(item)
            }
        }
        return errors.count == errorsBefore ? items : nil
    }

    private static func validateItem(_ value: JSONValue, pointer: String, errors: inout [FieldError]) -> OrderItem? {
        guard case .object(let fields) = value else {
            errors.append(FieldError(pointer: pointer, detail: "must be an object, not \(value.typeName)"))
            return nil
        }
        for key in fields.keys.sorted() where !itemFields.contains(key) {
            errors.append(FieldError(pointer: pointer + "/" + escape(key), detail: "is not a field of an item"))
        }
        let sku =
            fields["sku"].map { identifier($0, pointer: pointer + "/sku", errors: &errors) }
            ?? missing(pointer + "/sku", &errors)
        let quantity =
            fields["quantity"].map {
                integer($0, in: Limits.quantity, pointer: pointer + "/quantity", errors: &errors)
            } ?? missing(pointer + "/quantity", &errors)
        let price =
            fields["unit_price_cents"].map {
                integer($0, in: 0...Int64.max, pointer: pointer + "/unit_price_cents", errors: &errors)
            } ?? missing(pointer + "/unit_price_cents", &errors)
        guard let sku, let quantity, let price else { return nil }
        let (lineTotal, overflow) = quantity.multipliedReportingOverflow(by: price)
        guard !overflow else {
            errors.append(
                FieldError(pointer: pointer, detail: "quantity x unit_price_cents exceeds \(Int64.max) cents")
            )
            return nil
        }
        return OrderItem(sku: sku, quantity: quantity, unitPriceCents: price, lineTotalCents: lineTotal)
    }

    private static func missing<T>(_ pointer: String, _ errors: inout [FieldError]) -> T? {
        errors.append(FieldError(pointer: pointer, detail: "is required"))
        return nil
    }

    /// A string of 1 to 64 characters with no control characters.
    private static func identifier(_ value: JSONValue, pointer: String, errors: inout [FieldError]) -> String? {
        guard case .string(let text) = value else {
            errors.append(FieldError(pointer: pointer, detail: "must be a string, not \(value.typeName)"))
            return nil
        }
        let length = text.unicodeScalars.count
        guard (1...Limits.maxIdentifierLength).contains(length) else {
            errors.append(
                FieldError(
                    pointer: pointer,
                    detail: "must be 1 to \(Limits.maxIdentifierLength) characters long, not \(length)"
                )
            )
            return nil
        }
        guard !text.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else {
            errors.append(FieldError(pointer: pointer, detail: "must not contain control characters"))
            return nil
        }
        return text
    }

    private static func integer(
        _ value: JSONValue,
        in range: ClosedRange<Int64>,
        pointer: String,
        errors: inout [FieldError]
    ) -> Int64? {
        guard case .integer(let number) = value, range.contains(number) else {
            let kind = value.isNumber ? "" : ", not \(value.typeName)"
            errors.append(
                FieldError(
                    pointer: pointer,
                    detail: "must be an integer from \(range.lowerBound) to \(range.upperBound)\(kind)"
                )
            )
            return nil
        }
        return number
    }

    private static func isCurrencyCode(_ text: String) -> Bool {
        text.utf8.count == 3 && text.utf8.allSatisfy { $0 >= 0x41 && $0 <= 0x5A }
    }

    /// Escapes a member name for use in a JSON pointer (RFC 6901: `~` is `~0`, `/` is `~1`).
    static func escape(_ key: String) -> String {
        key.replacing("~", with: "~0").replacing("/", with: "~1")
    }
}

extension JSONValue {
    fileprivate var isNumber: Bool {
        switch self {
        case .integer, .number: true
        default: false
        }
    }
}
