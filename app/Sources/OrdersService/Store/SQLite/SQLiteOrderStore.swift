public import Logging
import SQLiteNIO
public import ServiceLifecycle
import Synchronization

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The embedded store: one SQLite file in WAL mode, so reads never wait for the writer.
///
/// Writes go through one connection: SQLite allows one writer at a time anyway, and each write here is a
/// single statement (an order and its items are one row), so no transaction spans two calls. Reads are
/// spread over a few more connections. `synchronous=FULL` makes every acknowledged order durable.
public final class SQLiteOrderStore: OrderStore, APIKeyStore {
    private let writer: SQLiteConnection
    private let readers: [SQLiteConnection]
    private let nextReader = Atomic<Int>(0)
    private let logger: Logger
    /// How long a statement waits for another process's lock on the file before failing.
    static let busyTimeoutMilliseconds = 5000

    /// Opens (creating when needed) the database at `path` and brings its schema up to date.
    public static func open(path: String, readerCount: Int = 4, logger: Logger) async throws -> SQLiteOrderStore {
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
            var readers: [SQLiteConnection] = []
            for _ in 0..<max(1, readerCount) {
                let reader = try await SQLiteConnection.open(storage: .file(path: path), logger: logger)
                opened.append(reader)
                _ = try await reader.rows("PRAGMA busy_timeout = \(busyTimeoutMilliseconds)")
                _ = try await reader.rows("PRAGMA query_only = ON")
                readers.append(reader)
            }
            return SQLiteOrderStore(writer: writer, readers: readers, logger: logger)
        } catch {
            for connection in opened { try? await connection.close() }
            throw error
        }
    }

    private init(writer: SQLiteConnection, readers: [SQLiteConnection], logger: Logger) {
        self.writer = writer
        self.readers = readers
        self.logger = logger
    }

    /// Closes every connection; the store cannot be used afterwards.
    package func close() async throws {
        for connection in [writer] + readers where !connection.isClosed {
            try await connection.close()
        }
    }

    /// A store whose services never ran (a command that only opened it) still releases its file.
    deinit {
        let open = ([writer] + readers).filter { !$0.isClosed }
        if !open.isEmpty {
            Task { for connection in open { try? await connection.close() } }
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
    public var services: [any Service] { [SQLiteConnectionCloser(connections: [writer] + readers, logger: logger)] }

    /// The file is open and migrated as soon as the store exists.
    public func waitUntilReady(timeout: Duration) async {}

    private var reader: SQLiteConnection {
        readers[nextReader.add(1, ordering: .relaxed).oldValue % readers.count]
    }

    private static let orderColumns =
        "sequence, id, customer_id, currency, items, total_cents, status, created_at_ms, request_fingerprint"

    /// Inserts the order, or finds the one its idempotency key already created.
    public func create(_ order: NewOrder, idempotency: IdempotencyClaim?) async throws -> OrderCreation {
        let draft = order.draft
        let inserted = try await writer.rows(
            """
            INSERT INTO orders (id, customer_id, currency, items, total_cents, status, created_at_ms,
                                idempotency_scope, idempotency_key, request_fingerprint)
            VALUES (?, ?, ?, ?, ?, 'created', ?, ?, ?, ?)
            ON CONFLICT (idempotency_scope, idempotency_key) DO NOTHING
            RETURNING \(Self.orderColumns)
            """,
            [
                .text(order.id), .text(draft.customerID), .text(draft.currency),
                .text(OrderJSON.encodeItems(draft.items)), .integer(Int(draft.totalCents)),
                .integer(Int(order.createdAtMilliseconds)),
                idempotency.map { .text($0.scope) } ?? .null, idempotency.map { .text($0.key) } ?? .null,
                idempotency.map { .text($0.fingerprint) } ?? .null,
            ]
        )
        if let row = inserted.first {
            return .created(try Self.order(from: row))
        }
        guard let idempotency else {
            throw StoreUnavailableError("insert returned no row and no idempotency key was given")
        }
        let existing = try await writer.rows(
            "SELECT \(Self.orderColumns) FROM orders WHERE idempotency_scope = ? AND idempotency_key = ?",
            [.text(idempotency.scope), .text(idempotency.key)]
        )
        guard let row = existing.first else {
            throw StoreUnavailableError("idempotency key conflicted but its order was not found")
        }
        guard row.column("request_fingerprint")?.string == idempotency.fingerprint else { return .keyReused }
        return .replayed(try Self.order(from: row))
    }

    /// Looks an order up by id.
    public func order(id: String, customerID: String?) async throws -> Order? {
        let rows: [SQLiteRow]
        if let customerID {
            rows = try await reader.rows(
                "SELECT \(Self.orderColumns) FROM orders WHERE id = ? AND customer_id = ?",
                [.text(id), .text(customerID)]
            )
        } else {
            rows = try await reader.rows("SELECT \(Self.orderColumns) FROM orders WHERE id = ?", [.text(id)])
        }
        return try rows.first.map(Self.order(from:))
    }

    /// A page of orders, newest first.
    public func orders(customerID: String?, limit: Int, after cursor: OrderCursor?) async throws -> [Order] {
        var conditions: [String] = []
        var binds: [SQLiteData] = []
        if let customerID {
            conditions.append("customer_id = ?")
            binds.append(.text(customerID))
        }
        if let cursor {
            conditions.append("sequence < ?")
            binds.append(.integer(Int(cursor.sequence)))
        }
        binds.append(.integer(limit))
        let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        let rows = try await reader.rows(
            "SELECT \(Self.orderColumns) FROM orders \(filter) ORDER BY sequence DESC LIMIT ?",
            binds
        )
        return try rows.map(Self.order(from:))
    }

    /// A local file is ready while it is open.
    public func readiness() async -> StoreReadiness { .ready }

    private static func order(from row: SQLiteRow) throws -> Order {
        guard let sequence = row.column("sequence")?.integer, let id = row.column("id")?.string,
            let customerID = row.column("customer_id")?.string, let currency = row.column("currency")?.string,
            let items = row.column("items")?.string, let total = row.column("total_cents")?.integer,
            let status = row.column("status")?.string, let created = row.column("created_at_ms")?.integer
        else {
            throw StoreUnavailableError("an orders row is missing a column")
        }
        return Order(
            id: id,
            customerID: customerID,
            currency: currency,
            items: try OrderJSON.decodeItems(items),
            totalCents: Int64(total),
            status: status,
            createdAtMilliseconds: Int64(created),
            sequence: Int64(sequence)
        )
    }
}

extension SQLiteOrderStore {
    private static let keyColumns =
        "key_id, secret_sha256, customer_id, label, created_at_ms, last_used_at_ms, revoked_at_ms"

    /// Stores a new key.
    public func insertKey(_ record: APIKeyRecord) async throws {
        _ = try await writer.rows(
            """
            INSERT INTO api_keys (key_id, secret_sha256, customer_id, is_admin, label, created_at_ms)
            VALUES (?, ?, ?, ?, ?, ?)
            """,
            [
                .text(record.keyID), .text(record.secretDigest), record.customerID.map { .text($0) } ?? .null,
                .integer(record.customerID == nil ? 1 : 0), .text(record.label),
                .integer(Int(record.createdAtMilliseconds)),
            ]
        )
    }

    /// Reads one key.
    public func key(id keyID: String) async throws -> APIKeyRecord? {
        let rows = try await reader.rows("SELECT \(Self.keyColumns) FROM api_keys WHERE key_id = ?", [.text(keyID)])
        return try rows.first.map(Self.key(from:))
    }

    /// Reads every key.
    public func allKeys() async throws -> [APIKeyRecord] {
        try await reader.rows("SELECT \(Self.keyColumns) FROM api_keys ORDER BY created_at_ms, key_id").map(
            Self.key(from:)
        )
    }

    /// Revokes a key that is still valid.
    public func revokeKey(id keyID: String, at time: Int64) async throws -> Bool {
        let rows = try await writer.rows(
            "UPDATE api_keys SET revoked_at_ms = ? WHERE key_id = ? AND revoked_at_ms IS NULL RETURNING key_id",
            [.integer(Int(time)), .text(keyID)]
        )
        return !rows.isEmpty
    }

    /// Records a use.
    public func touchKey(id keyID: String, at time: Int64) async throws {
        _ = try await writer.rows(
            "UPDATE api_keys SET last_used_at_ms = ? WHERE key_id = ?",
            [.integer(Int(time)), .text(keyID)]
        )
    }

    private static func key(from row: SQLiteRow) throws -> APIKeyRecord {
        guard let keyID = row.column("key_id")?.string, let digest = row.column("secret_sha256")?.string,
            let label = row.column("label")?.string, let created = row.column("created_at_ms")?.integer
        else {
            throw StoreUnavailableError("an api_keys row is missing a column")
        }
        return APIKeyRecord(
            keyID: keyID,
            secretDigest: digest,
            customerID: row.column("customer_id")?.string,
            label: label,
            createdAtMilliseconds: Int64(created),
            lastUsedAtMilliseconds: row.column("last_used_at_ms")?.integer.map(Int64.init),
            revokedAtMilliseconds: row.column("revoked_at_ms")?.integer.map(Int64.init)
        )
    }
}

/// Holds the SQLite connections open while the service runs and closes them on shutdown. It is added
/// before the HTTP server, so the group stops it after the server has finished its last request.
struct SQLiteConnectionCloser: Service {
    let connections: [SQLiteConnection]
    let logger: Logger

    func run() async throws {
        try? await gracefulShutdown()
        // Closing must happen even when the group is being cancelled (a failed start), so it runs in a
        // task that does not inherit the cancellation.
        let connections = self.connections
        let logger = self.logger
        await Task.detached {
            for connection in connections where !connection.isClosed {
                do {
                    try await connection.close()
                } catch {
                    logger.warning("could not close an SQLite connection", metadata: ["error": .string("\(error)")])
                }
            }
        }.value
    }
}
