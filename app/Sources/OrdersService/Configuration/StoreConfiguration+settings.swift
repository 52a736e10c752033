import OrdersCore

extension StoreConfiguration {
    /// The PostgreSQL settings the service reads: any of them set means the operator meant PostgreSQL.
    static let postgresVariables = [
        "DATABASE_URL", "DATABASE_HOST", "DATABASE_PORT", "DATABASE_USER", "DATABASE_PASSWORD", "DATABASE_NAME",
        "DATABASE_TLS", "DATABASE_TLS_CA_FILE", "DATABASE_POOL_SIZE", "DATABASE_CONNECT_TIMEOUT_SECONDS",
        "DATABASE_QUERY_TIMEOUT_SECONDS",
    ]

    /// Reads `STORE` (`sqlite`, the default, or `postgres`) and the settings of the chosen store:
    /// `SQLITE_PATH`, or those of ``PostgresSettings/init(settings:)``.
    ///
    /// The store is never chosen by accident: a PostgreSQL setting without `STORE=postgres` stops the
    /// process with one line naming the settings, rather than serving from a local SQLite file (which, in
    /// a container, lives on a volume a replaced task loses). `SQLITE_PATH` with `STORE=postgres` is
    /// ignored: the image sets it for its default store.
    init(settings: SettingsReader) throws(ConfigurationError) {
        let kind = try settings.choice(
            "STORE",
            default: "sqlite",
            choices: [("sqlite", "sqlite"), ("postgres", "postgres")]
        )
        if kind == "postgres" {
            self = .postgres(try PostgresSettings(settings: settings))
            return
        }
        let postgresSettings = Self.postgresVariables.filter { settings.string($0, isSecret: true) != nil }
        if !postgresSettings.isEmpty {
            let store = settings.string("STORE").map { "STORE=\($0)" } ?? "STORE is unset, which means sqlite"
            let named = postgresSettings.joined(separator: ", ")
            throw ConfigurationError.conflict(
                variable: "STORE",
                value: settings.string("STORE") ?? "",
                explanation:
                    "\(named) \(postgresSettings.count == 1 ? "is a PostgreSQL setting" : "are PostgreSQL settings"), "
                    + "but \(store): set STORE=postgres to use PostgreSQL, or unset \(named) to use the SQLite file"
            )
        }
        let path = settings.string("SQLITE_PATH") ?? Self.defaultSQLitePath
        guard !path.utf8.contains(0), path.utf8.count <= 4096 else {
            throw ConfigurationError(variable: "SQLITE_PATH", value: path, expectation: "a file path")
        }
        self = .sqlite(path: path)
    }
}
