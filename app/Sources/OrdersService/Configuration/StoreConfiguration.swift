#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Which order store the service uses: `STORE=sqlite` (the embedded default) or `STORE=postgres`.
public enum StoreConfiguration: Sendable, Equatable {
    /// An SQLite file at `path` (`SQLITE_PATH`).
    case sqlite(path: String)
    /// A PostgreSQL server shared by every task.
    case postgres(PostgresSettings)

    /// `SQLITE_PATH` when unset: a file under the working directory, so `make run` keeps its data.
    public static let defaultSQLitePath = "data/orders.sqlite"

    /// Reads `STORE` and the settings of the chosen store.
    public init(settings: SettingsReader) throws(ConfigurationError) {
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

extension StoreConfiguration {
    /// The PostgreSQL settings, when this is the PostgreSQL store.
    package var postgresSettings: PostgresSettings? {
        if case .postgres(let settings) = self { return settings }
        return nil
    }
}

/// How to reach PostgreSQL: `DATABASE_URL`, or the discrete `DATABASE_*` variables, which win over the
/// URL's parts when both are set (so the task can take the password alone from Secrets Manager).
public struct PostgresSettings: Sendable, Equatable {
    /// Server host name or address.
    public var host: String = "127.0.0.1"
    /// Server port.
    public var port: Int = 5432
    /// Role the service logs in as.
    public var user: String = "orders"
    /// Password of `user`; never logged.
    public var password: String?
    /// Database name.
    public var database: String = "orders"
    /// Most connections one process opens: `DATABASE_POOL_SIZE`.
    ///
    /// Five keep a task of one vCPU or less as fast as ten did in the benchmark, and each connection
    /// held in the pool costs the process several megabytes of memory under load.
    public var poolSize: Int = 5
    /// Bound on opening one connection: `DATABASE_CONNECT_TIMEOUT_SECONDS`.
    public var connectTimeout: Duration = .seconds(3)
    /// Bound on one store operation, waiting for a connection included, before the request gets a 503:
    /// `DATABASE_QUERY_TIMEOUT_SECONDS`.
    public var queryTimeout: Duration = .seconds(5)
    /// `DATABASE_TLS`: `disable`, `prefer` or `require`.
    public var tls: TLSMode = .prefer
    /// `DATABASE_TLS_CA_FILE`: PEM file of the certificate authorities the server's certificate must chain
    /// to (RDS chains to Amazon's RDS CA, not to the system roots). Without it, the system roots.
    public var caFile: String?
    /// Schema search path for the session; tests give each test its own schema. Not an environment
    /// setting: in production the role's own `search_path` (set by the admin bootstrap) applies.
    package var searchPath: String?

    /// The TLS modes. Whenever TLS is used the server's certificate and host name are verified.
    public enum TLSMode: String, Sendable, CaseIterable {
        /// Plain TCP (loopback and tests).
        case disable
        /// TLS when the server offers it, verified; plain otherwise.
        case prefer
        /// TLS or no connection, verified.
        case require
    }

    /// Settings with the defaults.
    public init() {}

    /// Reads `DATABASE_URL`, then the discrete variables.
    public init(settings: SettingsReader) throws(ConfigurationError) {
        self.init()
        if let url = settings.string("DATABASE_URL", isSecret: true) {
            try apply(url: url)
        }
        if let host = settings.string("DATABASE_HOST") { self.host = host }
        port = try settings.integer("DATABASE_PORT", default: port, in: 1...65535)
        if let user = settings.string("DATABASE_USER") { self.user = user }
        if let password = settings.string("DATABASE_PASSWORD", isSecret: true) { self.password = password }
        if let database = settings.string("DATABASE_NAME") { self.database = database }
        poolSize = try settings.integer("DATABASE_POOL_SIZE", default: poolSize, in: 1...200)
        connectTimeout = try settings.seconds("DATABASE_CONNECT_TIMEOUT_SECONDS", default: connectTimeout, in: 0.1...60)
        queryTimeout = try settings.seconds("DATABASE_QUERY_TIMEOUT_SECONDS", default: queryTimeout, in: 0.1...120)
        tls = try settings.choice("DATABASE_TLS", default: tls, choices: TLSMode.allCases.map { ($0.rawValue, $0) })
        caFile = settings.string("DATABASE_TLS_CA_FILE")
        if let caFile, tls == .disable {
            throw ConfigurationError(
                variable: "DATABASE_TLS_CA_FILE",
                value: caFile,
                expectation: "no CA file when DATABASE_TLS=disable"
            )
        }
    }

    /// Takes host, port, user, password and database from a `postgres://` URL. The error never echoes the
    /// URL, which may hold a password.
    private mutating func apply(url raw: String) throws(ConfigurationError) {
        let invalid = ConfigurationError(
            variable: "DATABASE_URL",
            value: "(not shown: it may hold a password)",
            expectation: "postgres://user:password@host:port/database"
        )
        guard let components = URLComponents(string: raw),
            components.scheme == "postgres" || components.scheme == "postgresql",
            let host = components.host, !host.isEmpty
        else { throw invalid }
        self.host = host
        if let port = components.port {
            guard (1...65535).contains(port) else { throw invalid }
            self.port = port
        }
        // URLComponents returns these parts already percent-decoded.
        if let user = components.user, !user.isEmpty { self.user = user }
        if let password = components.password { self.password = password }
        let path = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        if !path.isEmpty { database = path }
    }
}
