package import Logging

extension StoreConfiguration {
    /// Opens the store these settings name: an SQLite file is opened and migrated at once; a PostgreSQL
    /// store connects and migrates once its ``OrderStore/services`` run.
    package func openStore(logger: Logger) async throws -> any OrderStore {
        switch self {
        case .sqlite(let path):
            return try await SQLiteOrderStore.open(path: path, logger: logger)
        case .postgres(let settings):
            return try PostgresOrderStore(settings: settings, logger: logger)
        }
    }
}
