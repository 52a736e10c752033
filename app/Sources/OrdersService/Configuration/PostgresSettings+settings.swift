package import OrdersCore

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// `DATABASE_URL`, or the discrete `DATABASE_*` variables, which win over the URL's parts when both are
/// set (so the task can take the password alone from Secrets Manager).
extension PostgresSettings {
    /// Reads `DATABASE_URL`, then the discrete variables.
    package init(settings: SettingsReader) throws(ConfigurationError) {
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
