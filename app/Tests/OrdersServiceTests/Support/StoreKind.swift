import Foundation
import Logging
import PostgresNIO
import Testing

@testable import OrdersCore
@testable import OrdersService

/// The two stores every store-level test runs against.
enum StoreKind: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case sqlite
    case postgres

    var testDescription: String { rawValue }

    /// A new, empty store: a fresh SQLite file, or a fresh schema in the test PostgreSQL database.
    func makeStore(logger: Logger) async throws -> any OrderStore {
        switch self {
        case .sqlite:
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
                "orders-tests-\(UUID().uuidString)"
            )
            return try await SQLiteOrderStore.open(
                path: directory.appendingPathComponent("orders.sqlite").path,
                logger: logger
            )
        case .postgres:
            let settings = try await TestPostgres.freshSchema()
            return try PostgresOrderStore(settings: settings, logger: logger)
        }
    }
}

/// The PostgreSQL server the tests use: `POSTGRES_TEST_URL`, which `make swift-test` and `.ci/run` set
/// to a throwaway server on loopback. Without one, the PostgreSQL tests show as skipped
/// (`.requiresPostgreSQL`), except under `CI=true`, where they run and fail.
enum TestPostgres {
    static let url = ProcessInfo.processInfo.environment["POSTGRES_TEST_URL"]
    static let isCI = ProcessInfo.processInfo.environment["CI"] == "true"

    static var baseSettings: PostgresSettings? {
        guard let url else { return nil }
        let provider = ["DATABASE_URL": url, "DATABASE_TLS": "disable", "DATABASE_QUERY_TIMEOUT_SECONDS": "3"]
        return try? TestService.configuration(provider.merging(["STORE": "postgres"]) { $1 }).store.postgresSettings
    }

    static let availability: Task<Bool, Never> = Task {
        guard let settings = baseSettings else { return false }
        do {
            try await withAdminConnection(settings) { connection in
                try await connection.query("SELECT 1", logger: Logger(label: "test"))
            }
            return true
        } catch {
            return false
        }
    }

    static var isAvailable: Bool {
        get async { await availability.value }
    }

    /// Creates an empty schema and returns settings whose sessions use it.
    static func freshSchema() async throws -> PostgresSettings {
        guard var settings = baseSettings else { throw TestFailure("POSTGRES_TEST_URL is not set") }
        let schema = "t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        try await withAdminConnection(settings) { connection in
            try await connection.query(
                PostgresQuery(unsafeSQL: "CREATE SCHEMA \(schema)"),
                logger: Logger(label: "test")
            )
        }
        settings.searchPath = schema
        return settings
    }

    static func withAdminConnection(
        _ settings: PostgresSettings,
        _ body: (PostgresConnection) async throws -> Void
    ) async throws {
        let connection = try await PostgresConnection.connect(
            configuration: .init(
                host: settings.host,
                port: settings.port,
                username: settings.user,
                password: settings.password,
                database: settings.database,
                tls: .disable
            ),
            id: 1,
            logger: Logger(label: "test")
        )
        do {
            try await body(connection)
        } catch {
            try? await connection.close()
            throw error
        }
        try await connection.close()
    }
}

extension Trait where Self == ConditionTrait {
    /// Runs the test when the test PostgreSQL server answers; elsewhere the test shows as skipped, with
    /// the reason. Under `CI=true` it always runs, so a missing server fails the run instead of
    /// skipping.
    static var requiresPostgreSQL: Self {
        .enabled("PostgreSQL unavailable: set POSTGRES_TEST_URL to a reachable server (make swift-test starts one)") {
            TestPostgres.isCI ? true : await TestPostgres.isAvailable
        }
    }
}
