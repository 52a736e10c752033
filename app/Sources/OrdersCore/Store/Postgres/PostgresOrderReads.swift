import PostgresNIO

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The order reads the API serves, as prepared statements: postgres-nio prepares each one once per
/// pooled connection, so PostgreSQL parses and plans it once, and every later read sends only the
/// statement's name and its values.
///
/// Named statements live in a connection's session. They need a direct connection to PostgreSQL or a
/// pooler that keeps sessions (RDS Proxy does; PgBouncer in transaction mode does not).
enum PostgresOrderReads {
    /// The columns of an order row, in the order ``Row`` decodes them.
    static let columns =
        "sequence, id, customer_id, currency, items::text, total_cents, status, created_at, request_fingerprint"

    /// One order row as PostgreSQL returns it.
    typealias Row = (Int64, UUID, String, String, String, Int64, String, Date, String?)

    /// One order by id, whoever it belongs to (a key without a customer).
    struct ByID: OrderRowsStatement {
        static let name = "orders_by_id"
        static let sql = "SELECT \(columns) FROM orders WHERE id = $1"

        /// The order's id.
        var id: UUID

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 1)
            bindings.append(id)
            return bindings
        }
    }

    /// One order by id, only if it belongs to the customer.
    struct CustomerByID: OrderRowsStatement {
        static let name = "orders_customer_by_id"
        static let sql = "SELECT \(columns) FROM orders WHERE id = $1 AND customer_id = $2"

        /// The order's id.
        var id: UUID
        /// The customer the caller's key belongs to.
        var customerID: String

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 2)
            bindings.append(id)
            bindings.append(customerID)
            return bindings
        }
    }

    /// A page of every customer's orders, newest first, before a sequence number.
    struct Page: OrderRowsStatement {
        static let name = "orders_page"
        static let sql = "SELECT \(columns) FROM orders WHERE sequence < $1 ORDER BY sequence DESC LIMIT $2"

        /// Only orders older than this sequence number.
        var before: Int64
        /// The page size.
        var limit: Int64

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 2)
            bindings.append(before)
            bindings.append(limit)
            return bindings
        }
    }

    /// A page of one customer's orders, newest first, before a sequence number.
    struct CustomerPage: OrderRowsStatement {
        static let name = "orders_customer_page"
        static let sql =
            "SELECT \(columns) FROM orders WHERE customer_id = $1 AND sequence < $2 ORDER BY sequence DESC LIMIT $3"

        /// The customer the caller's key belongs to.
        var customerID: String
        /// Only orders older than this sequence number.
        var before: Int64
        /// The page size.
        var limit: Int64

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 3)
            bindings.append(customerID)
            bindings.append(before)
            bindings.append(limit)
            return bindings
        }
    }
}

/// A prepared statement whose rows are orders: each row decodes as ``PostgresOrderReads/Row``.
protocol OrderRowsStatement: PostgresPreparedStatement where Row == PostgresOrderReads.Row {}

extension OrderRowsStatement {
    /// Decodes one order row.
    func decodeRow(_ row: PostgresRow) throws -> PostgresOrderReads.Row {
        try row.decode(PostgresOrderReads.Row.self)
    }
}

extension StoredOrder {
    /// The stored order a PostgreSQL row holds.
    init(_ row: PostgresOrderReads.Row) {
        let (sequence, id, customerID, currency, items, total, status, createdAt, fingerprint) = row
        self.init(
            sequence: sequence,
            id: id.uuidString.lowercased(),
            customerID: customerID,
            currency: currency,
            items: items,
            totalCents: total,
            status: status,
            createdAtMilliseconds: Int64((createdAt.timeIntervalSince1970 * 1000).rounded()),
            requestFingerprint: fingerprint
        )
    }
}
