import SQLiteNIO
import Synchronization

extension SQLiteConnection {
    /// Runs `sql` and returns its rows, all of it on sqlite-nio's thread pool.
    ///
    /// sqlite-nio's `query(_:_:)` that returns rows hands each row to an event loop as a separate task
    /// and waits for all of them: a page of 20 orders cost 21 hops between threads. This variant
    /// collects the rows where they are read and resumes the caller once.
    ///
    /// An error that says the file cannot serve now rather than that the statement is wrong (see
    /// ``SQLiteError/meansUnavailable``) becomes ``StoreUnavailableError``, the store's contract for a 503.
    func rows(_ sql: String, _ binds: [SQLiteData] = []) async throws -> [SQLiteRow] {
        let collected = RowCollector()
        do {
            try await query(sql, binds) { row in
                collected.rows.withLock { $0.append(row) }
            }
        } catch let error as SQLiteError where error.meansUnavailable {
            throw StoreUnavailableError("SQLite: \(error.reason): \(error.message)")
        }
        return collected.rows.withLock { $0 }
    }
}

/// The rows of one query, appended on the thread pool and read once the query has finished.
private final class RowCollector: Sendable {
    let rows = Mutex<[SQLiteRow]>([])
}
