import Logging
import SQLiteNIO
import ServiceLifecycle
import Synchronization

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The embedded store: one SQLite file in WAL mode, so reads never wait for the writer.
///
/// Writes go through one connection on sqlite-nio's thread pool: SQLite allows one writer at a time
/// anyway, each write here is a single statement (an order and its items are one row), so no transaction
/// spans two calls, and a commit waits for `fsync`, which must not hold a thread of Swift's concurrency
/// pool. `synchronous=FULL` makes every acknowledged order durable. Reads are spread over a few more
/// connections that run on the caller's thread with statements prepared once
/// (``SQLiteReadConnection``).
final class SQLiteOrderStore: OrderStore, APIKeyStore {
    /// The one connection that writes.
    let writer: SQLiteConnection
    private let readers: [SQLiteReadConnection]
    private let nextReader = Atomic<Int>(0)
    private let logger: Logger
    /// How long a write waits for another process's lock on the file before failing.
    static let busyTimeoutMilliseconds = 5000
    /// How long a read waits for one. A read in WAL mode waits only for a lock another process takes on
    /// the whole file (exclusive locking mode, recovery after a crash), and it waits on one of Swift's
    /// few worker threads, which every other request needs too: it gives up sooner than a write does,
    /// which waits on sqlite-nio's thread pool.
    static let readBusyTimeoutMilliseconds = 250

    /// Opens (creating when needed) the database at `path` and brings its schema up to date. A write
    /// waits up to `busyTimeoutMilliseconds` for another process's lock, a read up to that or
    /// ``readBusyTimeoutMilliseconds``, whichever is shorter; then either fails with a 503.
    static func open(
        path: String,
        readerCount: Int = 4,
        busyTimeoutMilliseconds: Int = SQLiteOrderStore.busyTimeoutMilliseconds,
        logger: Logger
    ) async throws -> SQLiteOrderStore {
        if let slash = path.lastIndex(of: "/"), slash != path.startIndex {
            let directory = String(path[..<slash])
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        }
        var opened: [SQLiteConnection] = []
        do {
            let writer = try await SQLiteConnection.open(storage: .file(path: path), logger: logger)
            opened.append(writer)
            // A bounded wait for locks replaces the connection's default handler, which retries forever
            // and would spin when two processes open a new file at once.
            for pragma in [
                "PRAGMA busy_timeout = \(busyTimeoutMilliseconds)", "PRAGMA journal_mode = WAL",
                "PRAGMA synchronous = FULL", "PRAGMA foreign_keys = ON",
            ] {
                _ = try await writer.rows(pragma)
            }
            try await migrate(writer, logger: logger)
            let readers = try (0..<max(1, readerCount)).map { _ in
                try SQLiteReadConnection(
                    path: path,
                    busyTimeoutMilliseconds: min(busyTimeoutMilliseconds, readBusyTimeoutMilliseconds)
                )
            }
            return SQLiteOrderStore(writer: writer, readers: readers, logger: logger)
        } catch {
            for connection in opened { try? await connection.close() }
            throw error
        }
    }

    private init(writer: SQLiteConnection, readers: [SQLiteReadConnection], logger: Logger) {
        self.writer = writer
        self.readers = readers
        self.logger = logger
    }

    /// Closes every connection; the store cannot be used afterwards.
    func close() async throws {
        for reader in readers { reader.close() }
        if !writer.isClosed { try await writer.close() }
    }

    /// A store whose services never ran (a command that only opened it) still releases its file.
    deinit {
        for reader in readers { reader.close() }
        if !writer.isClosed {
            let writer = self.writer
            Task { try? await writer.close() }
        }
    }

    /// Applies the migrations this file has not seen, in one write transaction, so that two processes
    /// opening a new file together apply them once.
    private static func migrate(_ connection: SQLiteConnection, logger: Logger) async throws {
        _ = try await connection.query(
            "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at_ms INTEGER NOT NULL)"
        )
        _ = try await connection.query("BEGIN IMMEDIATE")
        do {
            let rows = try await connection.query("SELECT COALESCE(MAX(version), 0) AS version FROM schema_migrations")
            let current = rows.first?.column("version")?.integer ?? 0
            for migration in SQLiteSchema.migrations where migration.version > current {
                for statement in migration.statements {
                    _ = try await connection.query(statement)
                }
                _ = try await connection.query(
                    "INSERT INTO schema_migrations (version, applied_at_ms) VALUES (?, ?)",
                    [.integer(migration.version), .integer(Int(UTCTimestamp.nowMilliseconds()))]
                )
                logger.info("applied schema migration", metadata: ["version": .stringConvertible(migration.version)])
            }
            _ = try await connection.query("COMMIT")
        } catch {
            _ = try? await connection.query("ROLLBACK")
            throw error
        }
    }

    /// Closes the connections once everything that uses them has stopped.
    var services: [any Service] { [SQLiteConnectionCloser(writer: writer, readers: readers, logger: logger)] }

    /// The file is open and migrated as soon as the store exists.
    func waitUntilReady(timeout: Duration) async {}

    /// The next reading connection, in turn.
    var reader: SQLiteReadConnection {
        readers[nextReader.add(1, ordering: .relaxed).oldValue % readers.count]
    }

    private static let orderColumns =
        "sequence, id, customer_id, currency, items, total_cents, status, created_at_ms, request_fingerprint"
    /// The point reads' SQL, built once: a read looks its prepared statement up by this text.
    private static let orderByIDForCustomer = "SELECT \(orderColumns) FROM orders WHERE id = ? AND customer_id = ?"
    /// The point read for an admin key, which reads any customer's orders.
    private static let orderByID = "SELECT \(orderColumns) FROM orders WHERE id = ?"

    /// Inserts the order, or finds the one its idempotency key already created.
    func create(_ order: NewOrder, idempotency: IdempotencyClaim?) async throws -> OrderCreation {
        let draft = order.draft
        let inserted = try await writer.rows(
            """
            INSERT INTO orders (id, customer_id, currency, items, total_cents, status, created_at_ms,
                                idempotency_scope, idempotency_key, request_fingerprint)
            VALUES (?, ?, ?, ?, ?, 'created', ?, ?, ?, ?)
            ON CONFLICT (idempotency_scope, idempotency_key) DO NOTHING
            RETURNING sequence
            """,
            [
                .text(order.id), .text(draft.customerID), .text(draft.currency),
                .text(StoredOrderItems.encode(draft.items)), .integer(Int(draft.totalCents)),
                .integer(Int(order.createdAtMilliseconds)),
                idempotency.map { .text($0.scope) } ?? .null, idempotency.map { .text($0.key) } ?? .null,
                idempotency.map { .text($0.fingerprint) } ?? .null,
            ]
        )
        if let sequence = inserted.first?.column("sequence")?.integer {
            return .created(order.created(sequence: Int64(sequence)))
        }
        guard let idempotency else {
            throw StoreUnavailableError("insert returned no row and no idempotency key was given")
        }
        // The conflicting row was committed before the insert ended, so a reader's snapshot, taken now,
        // holds it.
        let existing = try reader.read(
            "SELECT \(Self.orderColumns) FROM orders WHERE idempotency_scope = ? AND idempotency_key = ?",
            [.text(idempotency.scope), .text(idempotency.key)],
            row: Self.storedOrder(from:)
        )
        guard let stored = existing.first else {
            throw StoreUnavailableError("idempotency key conflicted but its order was not found")
        }
        guard stored.requestFingerprint == idempotency.fingerprint else { return .keyReused }
        return .replayed(try stored.order())
    }

    /// Looks an order up by id.
    func order(id: String, customerID: String?) async throws -> Order? {
        let rows: [StoredOrder]
        if let customerID {
            rows = try reader.read(
                Self.orderByIDForCustomer,
                [.text(id), .text(customerID)],
                row: Self.storedOrder(from:)
            )
        } else {
            rows = try reader.read(
                Self.orderByID,
                [.text(id)],
                row: Self.storedOrder(from:)
            )
        }
        return try rows.first?.order()
    }

    /// A page of orders, newest first.
    func orders(customerID: String?, limit: Int, olderThan sequence: Int64?) async throws -> [Order] {
        var conditions: [String] = []
        var binds: [SQLiteData] = []
        if let customerID {
            conditions.append("customer_id = ?")
            binds.append(.text(customerID))
        }
        if let sequence {
            conditions.append("sequence < ?")
            binds.append(.integer(Int(sequence)))
        }
        binds.append(.integer(limit))
        let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        let rows = try reader.read(
            "SELECT \(Self.orderColumns) FROM orders \(filter) ORDER BY sequence DESC LIMIT ?",
            binds,
            row: Self.storedOrder(from:)
        )
        return try rows.map { try $0.order() }
    }

    /// A local file is ready while it is open.
    func readiness() async -> StoreReadiness { .ready }

    /// The columns of ``orderColumns``, by position.
    private static func storedOrder(from row: SQLiteColumns) throws -> StoredOrder {
        guard let sequence = row.integer(0), let id = row.text(1), let customerID = row.text(2),
            let currency = row.text(3), let items = row.text(4), let total = row.integer(5),
            let status = row.text(6), let created = row.integer(7)
        else {
            throw StoreUnavailableError("an orders row is missing a column")
        }
        return StoredOrder(
            sequence: sequence,
            id: id,
            customerID: customerID,
            currency: currency,
            items: items,
            totalCents: total,
            status: status,
            createdAtMilliseconds: created,
            requestFingerprint: row.text(8)
        )
    }
}
