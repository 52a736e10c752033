import Foundation
import Logging
import NIOCore
import SQLiteNIO
import Testing

@testable import OrdersCore

/// The embedded store's read connections: statements prepared once and reused, values bound and read
/// back exactly, writes refused, and the errors that mean "not now" told apart from the service's faults.
@Suite("SQLite read connections")
struct SQLiteReadConnectionTests {
    /// Runs `body` with a new WAL-mode file holding `items(id INTEGER, name TEXT, note TEXT)` with three
    /// rows, the sqlite-nio connection that wrote them, and the file's path.
    private func withFile(
        _ body: (_ path: String, _ writer: SQLiteConnection) async throws -> Void
    ) async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("read-\(UUID().uuidString).sqlite")
            .path
        let writer = try await SQLiteConnection.open(storage: .file(path: path), logger: Logger(label: "test"))
        do {
            _ = try await writer.rows("PRAGMA journal_mode = WAL")
            _ = try await writer.rows("CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL, note TEXT)")
            _ = try await writer.rows(
                "INSERT INTO items (id, name, note) VALUES (1, 'ä \"one\"', NULL), (2, 'two', 'n2'), (3, 'three', NULL)"
            )
            try await body(path, writer)
        } catch {
            if !writer.isClosed { try? await writer.close() }
            throw error
        }
        if !writer.isClosed { try await writer.close() }
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
    }

    private struct Item: Equatable {
        let id: Int64
        let name: String
        let note: String?
    }

    private static func item(_ row: SQLiteColumns) -> Item {
        Item(id: row.integer(0) ?? -1, name: row.text(1) ?? "<null>", note: row.text(2))
    }

    @Test("a statement is prepared once and reused, with new binds each time")
    func preparedOnce() async throws {
        try await withFile { path, _ in
            let reader = try SQLiteReadConnection(path: path, busyTimeoutMilliseconds: 100)
            let sql = "SELECT id, name, note FROM items WHERE id = ?"
            #expect(reader.keptStatements == 0)
            #expect(try reader.read(sql, [.integer(1)], row: Self.item) == [Item(id: 1, name: "ä \"one\"", note: nil)])
            #expect(reader.keptStatements == 1)
            #expect(try reader.read(sql, [.integer(2)], row: Self.item) == [Item(id: 2, name: "two", note: "n2")])
            #expect(try reader.read(sql, [.integer(9)], row: Self.item) == [])
            #expect(reader.keptStatements == 1)
            #expect(
                try reader.read(
                    "SELECT id, name, note FROM items WHERE name = ? OR id = ? ORDER BY id",
                    [.text("three"), .null],
                    row: Self.item
                )
                    == [Item(id: 3, name: "three", note: nil)]
            )
            #expect(reader.keptStatements == 2)
        }
    }

    @Test("past its capacity a connection still answers every statement and keeps no more of them")
    func capacity() async throws {
        try await withFile { path, _ in
            let reader = try SQLiteReadConnection(path: path, busyTimeoutMilliseconds: 100)
            let texts = (0..<(SQLiteReadConnection.statementCapacity + 4)).map {
                "SELECT id + \($0) FROM items WHERE id = ?"
            }
            for (offset, sql) in texts.enumerated() {
                #expect(try reader.read(sql, [.integer(2)], row: { $0.integer(0) }) == [Int64(2 + offset)])
            }
            #expect(reader.keptStatements == SQLiteReadConnection.statementCapacity)
            for (offset, sql) in texts.enumerated().reversed() {
                #expect(try reader.read(sql, [.integer(1)], row: { $0.integer(0) }) == [Int64(1 + offset)])
            }
        }
    }

    @Test("a read sees what the writer committed before it began")
    func seesCommittedWrites() async throws {
        try await withFile { path, writer in
            let reader = try SQLiteReadConnection(path: path, busyTimeoutMilliseconds: 100)
            let count = "SELECT count(*) FROM items"
            #expect(try reader.read(count, row: { $0.integer(0) }) == [3])
            _ = try await writer.rows("INSERT INTO items (id, name) VALUES (4, 'four')")
            #expect(try reader.read(count, row: { $0.integer(0) }) == [4])
        }
    }

    @Test("a write through a read connection is refused as the service's fault, not as unavailable")
    func refusesWrites() async throws {
        try await withFile { path, writer in
            let reader = try SQLiteReadConnection(path: path, busyTimeoutMilliseconds: 100)
            let error = try #require(throws: SQLiteReadError.self) {
                try reader.read("DELETE FROM items", row: { _ in () })
            }
            #expect(!error.meansUnavailable, "\(error)")
            #expect(error.description.contains("readonly") || error.description.contains("read-only"), "\(error)")
            #expect(try await writer.rows("SELECT count(*) AS n FROM items").first?.column("n")?.integer == 3)
        }
    }

    @Test("a wrong statement is the service's fault; the connection serves on")
    func wrongStatement() async throws {
        try await withFile { path, _ in
            let reader = try SQLiteReadConnection(path: path, busyTimeoutMilliseconds: 100)
            let error = try #require(throws: SQLiteReadError.self) {
                try reader.read("SELECT missing_column FROM items", row: { _ in () })
            }
            #expect(!error.meansUnavailable)
            #expect(error.description.contains("no such column"), "\(error)")
            #expect(reader.keptStatements == 0)
            #expect(try reader.read("SELECT count(*) FROM items", row: { $0.integer(0) }) == [3])
        }
    }

    @Test("a lock held past the busy timeout is StoreUnavailableError, and the connection reads again once it goes")
    func busy() async throws {
        try await withFile { path, writer in
            // A connection in exclusive locking mode keeps the file's lock after its first write, so no
            // other connection can read it; it can take that lock only while no other connection has the
            // file open.
            try await writer.close()
            let holder = try await SQLiteConnection.open(storage: .file(path: path), logger: Logger(label: "holder"))
            _ = try await holder.rows("PRAGMA locking_mode = EXCLUSIVE")
            _ = try await holder.rows("INSERT INTO items (id, name) VALUES (5, 'five')")
            let reader = try SQLiteReadConnection(path: path, busyTimeoutMilliseconds: 150)
            let sql = "SELECT count(*) FROM items"
            let clock = ContinuousClock()
            let started = clock.now
            let error = try #require(throws: StoreUnavailableError.self) {
                try reader.read(sql, row: { $0.integer(0) })
            }
            #expect(clock.now - started >= .milliseconds(150), "gave up before the busy timeout")
            #expect("\(error)".contains("locked"), "\(error)")
            try await holder.close()
            #expect(try reader.read(sql, row: { $0.integer(0) }) == [4])
        }
    }

    @Test("the store's readers wait 250 ms for another process's lock, its writer 5 s")
    func storeBusyTimeouts() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("store-\(UUID().uuidString).sqlite")
            .path
        let store = try await SQLiteOrderStore.open(path: path, logger: Logger(label: "test"))
        let readers = try (0..<4).flatMap { _ in try store.reader.read("PRAGMA busy_timeout", row: { $0.integer(0) }) }
        #expect(readers == Array(repeating: Int64(SQLiteOrderStore.readBusyTimeoutMilliseconds), count: 4))
        #expect(SQLiteOrderStore.readBusyTimeoutMilliseconds == 250)
        let writer = try await store.writer.rows("PRAGMA busy_timeout").first?.column("timeout")?.integer
        #expect(writer == SQLiteOrderStore.busyTimeoutMilliseconds)
        try await store.close()
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
    }

    @Test("a closed connection answers StoreUnavailableError")
    func closed() async throws {
        try await withFile { path, _ in
            let reader = try SQLiteReadConnection(path: path, busyTimeoutMilliseconds: 100)
            _ = try reader.read("SELECT 1", row: { $0.integer(0) })
            reader.close()
            #expect(reader.isClosed)
            #expect(throws: StoreUnavailableError.self) { try reader.read("SELECT 1", row: { $0.integer(0) }) }
            reader.close()
        }
    }

    @Test("a file that does not exist is not created by a reader")
    func missingFile() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("absent-\(UUID().uuidString).sqlite")
            .path
        #expect(throws: (any Error).self) { try SQLiteReadConnection(path: path, busyTimeoutMilliseconds: 100) }
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    @Test("many tasks reading through a few connections each get their own row")
    func concurrentReads() async throws {
        try await withFile { path, writer in
            for id in 10..<210 {
                _ = try await writer.rows(
                    "INSERT INTO items (id, name) VALUES (?, ?)",
                    [.integer(id), .text("n\(id)")]
                )
            }
            let readers = try (0..<2).map { _ in try SQLiteReadConnection(path: path, busyTimeoutMilliseconds: 1000) }
            let mismatches = try await withThrowingTaskGroup(of: Int.self) { group in
                for id in 10..<210 {
                    group.addTask {
                        var wrong = 0
                        for round in 0..<20 {
                            let rows = try readers[(id + round) % readers.count].read(
                                "SELECT id, name, note FROM items WHERE id = ?",
                                [.integer(id)],
                                row: Self.item
                            )
                            if rows != [Item(id: Int64(id), name: "n\(id)", note: nil)] { wrong += 1 }
                        }
                        return wrong
                    }
                }
                return try await group.reduce(0, +)
            }
            #expect(mismatches == 0)
        }
    }
}
