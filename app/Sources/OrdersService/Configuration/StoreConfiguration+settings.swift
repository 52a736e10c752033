package import OrdersCore

extension StoreConfiguration {
    /// Reads `STORE` (`sqlite`, the default, or `postgres`) and the settings of the chosen store:
    /// `SQLITE_PATH`, or those of ``PostgresSettings/init(settings:)``.
    init(settings: SettingsReader) throws(ConfigurationError) {
        let kind = try settings.choice(
            "STORE",
            default: "sqlite",
            choices: [("sqlite", "sqlite"), ("postgres", "postgres")]
        )
        if kind == "postgres" {
            self = .postgres(try PostgresSettings(settings: settings))
        } else {
            let path = settings.string("SQLITE_PATH") ?? Self.defaultSQLitePath
            guard !path.utf8.contains(0), path.utf8.count <= 4096 else {
                throw ConfigurationError(variable: "SQLITE_PATH", value: path, expectation: "a file path")
            }
            self = .sqlite(path: path)
        }
    }
}
