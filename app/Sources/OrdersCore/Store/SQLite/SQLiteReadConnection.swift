import NIOConcurrencyHelpers
import SQLiteNIO
import VaporCSQLite

/// A read-only SQLite connection that runs its statements on the caller's own thread and prepares each
/// statement once.
///
/// sqlite-nio runs every statement on its thread pool and parses its SQL anew each time: a point read
/// crossed from the request's task to a pool thread and back, and SQLite spent more time parsing the
/// `SELECT` than running it. A read from a WAL-mode file needs no lock another connection holds for long
/// and finds its pages in memory, so it takes microseconds: running it where the request already is costs
/// less than the two thread switches around it. Writes stay on sqlite-nio's thread pool, because a commit
/// waits for `fsync`.
///
/// The connection serves one statement at a time: a read takes its lock for the whole statement, so two
/// tasks on two threads never share the handle (it is opened without SQLite's own mutex). Prepared
/// statements are kept by their SQL text; the store's reads are a fixed set of texts, and past
/// ``statementCapacity`` a new text is prepared, run and finalized without being kept.
final class SQLiteReadConnection: @unchecked Sendable {
    /// Most prepared statements kept at once.
    static let statementCapacity = 16

    /// Held for the whole of each statement; guards ``open``.
    private let lock = NIOLock()
    /// The handle, `nil` once closed. Read and written only under ``lock``.
    private var open: OpenHandle?

    /// The handle and the statements prepared on it.
    private struct OpenHandle {
        let database: OpaquePointer
        var statements: [String: OpaquePointer] = [:]
    }

    /// Opens the existing database at `path` for reading: writes are refused (`query_only`), and a
    /// statement waits up to `busyTimeoutMilliseconds` for another process's lock before failing.
    init(path: String, busyTimeoutMilliseconds: Int) throws {
        var handle: OpaquePointer?
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE
        let opened = sqlite_nio_sqlite3_open_v2(path, &handle, flags, nil)
        guard opened == SQLITE_OK, let database = handle else {
            let error = SQLiteReadError(code: opened, database: handle, while: "opening \(path)")
            sqlite_nio_sqlite3_close_v2(handle)
            throw error.forStore
        }
        sqlite_nio_sqlite3_busy_timeout(database, Int32(clamping: busyTimeoutMilliseconds))
        let readOnly = sqlite_nio_sqlite3_exec(database, "PRAGMA query_only = ON", nil, nil, nil)
        guard readOnly == SQLITE_OK else {
            let error = SQLiteReadError(code: readOnly, database: database, while: "setting query_only")
            sqlite_nio_sqlite3_close_v2(database)
            throw error.forStore
        }
        self.open = OpenHandle(database: database)
    }

    deinit {
        if let open { Self.close(open) }
    }

    /// Runs `sql` with `binds` and returns what `row` makes of each row. Errors that mean the file cannot
    /// serve now become ``StoreUnavailableError`` (503); any other is the service's fault (500).
    func read<Row>(
        _ sql: String,
        _ binds: [SQLiteData] = [],
        row: (SQLiteColumns) throws -> Row
    ) throws -> [Row] {
        try lock.withLock {
            guard open != nil else { throw StoreUnavailableError("the SQLite store is closed") }
            return try Self.run(&open!, sql, binds, row: row)
        }
    }

    /// Finalizes the prepared statements and closes the handle; reads afterwards fail with
    /// ``StoreUnavailableError``.
    func close() {
        lock.withLock {
            if let open { Self.close(open) }
            open = nil
        }
    }

    /// Whether ``close()`` has run.
    var isClosed: Bool { lock.withLock { open == nil } }

    /// How many prepared statements the connection keeps.
    var keptStatements: Int { lock.withLock { open?.statements.count ?? 0 } }

    private static func close(_ open: OpenHandle) {
        for statement in open.statements.values { sqlite_nio_sqlite3_finalize(statement) }
        sqlite_nio_sqlite3_close_v2(open.database)
    }

    private static func run<Row>(
        _ open: inout OpenHandle,
        _ sql: String,
        _ binds: [SQLiteData],
        row: (SQLiteColumns) throws -> Row
    ) throws -> [Row] {
        let (statement, kept) = try prepared(&open, sql)
        defer {
            if kept {
                sqlite_nio_sqlite3_reset(statement)
                sqlite_nio_sqlite3_clear_bindings(statement)
            } else {
                sqlite_nio_sqlite3_finalize(statement)
            }
        }
        for (offset, value) in binds.enumerated() {
            let bound = bind(value, at: Int32(offset + 1), to: statement)
            guard bound == SQLITE_OK else {
                throw SQLiteReadError(code: bound, database: open.database, while: "binding").forStore
            }
        }
        var rows: [Row] = []
        while true {
            let stepped = sqlite_nio_sqlite3_step(statement)
            if stepped == SQLITE_DONE { return rows }
            guard stepped == SQLITE_ROW else {
                throw SQLiteReadError(code: stepped, database: open.database, while: "reading").forStore
            }
            rows.append(try row(SQLiteColumns(statement: statement)))
        }
    }

    /// The statement for `sql`, prepared now unless it was before; `kept` says whether it stays cached.
    private static func prepared(_ open: inout OpenHandle, _ sql: String) throws -> (OpaquePointer, kept: Bool) {
        if let statement = open.statements[sql] { return (statement, true) }
        let keep = open.statements.count < statementCapacity
        var statement: OpaquePointer?
        let flags = keep ? UInt32(SQLITE_PREPARE_PERSISTENT) : 0
        let code = sqlite_nio_sqlite3_prepare_v3(open.database, sql, -1, flags, &statement, nil)
        guard code == SQLITE_OK, let statement else {
            sqlite_nio_sqlite3_finalize(statement)
            throw SQLiteReadError(code: code, database: open.database, while: "preparing").forStore
        }
        if keep { open.statements[sql] = statement }
        return (statement, keep)
    }

    private static func bind(_ value: SQLiteData, at index: Int32, to statement: OpaquePointer) -> Int32 {
        switch value {
        case .integer(let integer):
            sqlite_nio_sqlite3_bind_int64(statement, index, Int64(integer))
        case .float(let double):
            sqlite_nio_sqlite3_bind_double(statement, index, double)
        case .text(let text):
            sqlite_nio_sqlite3_bind_text64(
                statement,
                index,
                text,
                UInt64(text.utf8.count),
                transientCopy,
                UInt8(SQLITE_UTF8)
            )
        case .blob(let buffer):
            buffer.withUnsafeReadableBytes {
                sqlite_nio_sqlite3_bind_blob64(statement, index, $0.baseAddress, UInt64($0.count), transientCopy)
            }
        case .null:
            sqlite_nio_sqlite3_bind_null(statement, index)
        }
    }
}

/// SQLite's `SQLITE_TRANSIENT`: SQLite copies the bound value before the call returns.
private let transientCopy = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

/// The current row of a statement, read by column position (the position in the `SELECT` list).
struct SQLiteColumns {
    fileprivate let statement: OpaquePointer

    /// The column's integer, or `nil` when it is `NULL`.
    func integer(_ column: Int32) -> Int64? {
        guard sqlite_nio_sqlite3_column_type(statement, column) != SQLITE_NULL else { return nil }
        return sqlite_nio_sqlite3_column_int64(statement, column)
    }

    /// The column's text, or `nil` when it is `NULL`.
    func text(_ column: Int32) -> String? {
        guard let bytes = sqlite_nio_sqlite3_column_text(statement, column) else { return nil }
        let count = Int(sqlite_nio_sqlite3_column_bytes(statement, column))
        return String(decoding: UnsafeBufferPointer(start: bytes, count: count), as: UTF8.self)
    }
}

/// An SQLite result code from a read, with the connection's message.
struct SQLiteReadError: Error, CustomStringConvertible {
    /// The extended result code.
    let code: Int32
    /// SQLite's message for it.
    let message: String
    /// What the connection was doing.
    let step: String

    init(code: Int32, database: OpaquePointer?, while step: String) {
        self.code = code
        self.step = step
        self.message =
            database.flatMap { sqlite_nio_sqlite3_errmsg($0) }.map { String(cString: $0) }
            ?? String(cString: sqlite_nio_sqlite3_errstr(code))
    }

    var description: String { "SQLite \(step): \(message) (code \(code))" }

    /// Whether the code says the file cannot serve now rather than that the statement is wrong: a lock
    /// held past the busy timeout, a full disk, a failing disk or no memory (the primary codes behind
    /// ``SQLiteError/meansUnavailable``).
    var meansUnavailable: Bool {
        switch code & 0xff {
        case SQLITE_BUSY, SQLITE_LOCKED, SQLITE_NOMEM, SQLITE_IOERR, SQLITE_FULL: true
        default: false
        }
    }

    /// The error the store throws: ``StoreUnavailableError`` when the file cannot serve now, else itself.
    var forStore: any Error {
        meansUnavailable ? StoreUnavailableError(description) : self
    }
}
