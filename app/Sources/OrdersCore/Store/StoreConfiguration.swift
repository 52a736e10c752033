/// Which order store the service uses, and how to reach it.
package enum StoreConfiguration: Sendable, Equatable {
    /// An SQLite file at `path`.
    case sqlite(path: String)
    /// A PostgreSQL server shared by every task.
    case postgres(PostgresSettings)

    /// The SQLite file when none is named: a file under the working directory, so `make run` keeps its
    /// data.
    package static let defaultSQLitePath = "data/orders.sqlite"

    /// The PostgreSQL settings, when this is the PostgreSQL store.
    package var postgresSettings: PostgresSettings? {
        if case .postgres(let settings) = self { return settings }
        return nil
    }
}
