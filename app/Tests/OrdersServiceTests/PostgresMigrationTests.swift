import Foundation
import Logging
import PostgresNIO
import ServiceLifecycle
import Testing

@testable import OrdersCore
@testable import OrdersService

@Suite("PostgreSQL migrations")
struct PostgresMigrationTests {
    @Test(
        "several instances migrating one empty database at the same moment: one migrates, none fails",
        .requiresPostgreSQL
    )
    func concurrentMigration() async throws {
        let settings = try await TestPostgres.freshSchema()
        let logs = InMemoryLogSink()
        let logger = Logger(label: "test") {
            StructuredLogHandler(label: $0, format: .json, level: .info, sink: logs)
        }
        let stores = try (0..<6).map { _ in try PostgresOrderStore(settings: settings, logger: logger) }
        let group = ServiceGroup(configuration: .init(services: stores.flatMap(\.services), logger: logger))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            for store in stores {
                await store.waitUntilReady(timeout: .seconds(20))
                #expect(await store.readiness().isReady)
            }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
        let applied = logs.lines.filter { $0.contains("applied schema migration") }
        #expect(applied.count == PostgresSchema.migrations.count, "each migration applied exactly once: \(applied)")
        #expect(!logs.lines.contains { $0.contains("retrying") }, "no instance failed: \(logs.lines)")
        var versions: [Int] = []
        try await TestPostgres.withAdminConnection(settings) { connection in
            let rows = try await connection.query(
                PostgresQuery(
                    unsafeSQL: "SELECT version FROM \(settings.searchPath!).schema_migrations ORDER BY version"
                ),
                logger: logger
            )
            for try await version in rows.decode(Int.self) { versions.append(version) }
        }
        #expect(versions == PostgresSchema.migrations.map(\.version))
    }

    @Test("an SQLite file is migrated once; reopening it applies nothing again")
    func sqliteReopen() async throws {
        let path = FileManagerPath.temporary("reopen.sqlite")
        let logs = InMemoryLogSink()
        let logger = Logger(label: "test") { StructuredLogHandler(label: $0, format: .json, level: .info, sink: logs) }
        for _ in 0..<3 {
            let store = try await SQLiteOrderStore.open(path: path, readerCount: 1, logger: logger)
            try await store.close()
        }
        let applied = logs.lines.filter { $0.contains("applied schema migration") }
        #expect(applied.count == SQLiteSchema.migrations.count)
    }
}

enum FileManagerPath {
    static func temporary(_ name: String) -> String {
        let directory = NSTemporaryDirectory() + "orders-tests-" + UUID().uuidString
        return directory + "/" + name
    }
}
