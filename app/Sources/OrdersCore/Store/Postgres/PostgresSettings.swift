/// How to reach PostgreSQL. The service reads these from `DATABASE_URL` and the `DATABASE_*` variables
/// (see `PostgresSettings+settings.swift` in the service); the defaults are the documented ones.
package struct PostgresSettings: Sendable, Equatable {
    /// Server host name or address.
    package var host: String = "127.0.0.1"
    /// Server port.
    package var port: Int = 5432
    /// Role the service logs in as.
    package var user: String = "orders"
    /// Password of `user`; never logged.
    package var password: String?
    /// Database name.
    package var database: String = "orders"
    /// Most connections one process opens.
    ///
    /// Five keep a task of one vCPU or less as fast as ten did in the benchmark, and each connection
    /// held in the pool costs the process several megabytes of memory under load.
    package var poolSize: Int = 5
    /// Bound on opening one connection.
    package var connectTimeout: Duration = .seconds(3)
    /// Bound on one store operation, waiting for a connection included, before the request gets a 503.
    package var queryTimeout: Duration = .seconds(5)
    /// Whether to use TLS.
    package var tls: TLSMode = .prefer
    /// PEM file of the certificate authorities the server's certificate must chain to (RDS chains to
    /// Amazon's RDS CA, not to the system roots). Without it, the system roots.
    package var caFile: String?
    /// Schema search path for the session; tests give each test its own schema. Not an environment
    /// setting: in production the role's own `search_path` (set by the admin bootstrap) applies.
    var searchPath: String?

    /// The TLS modes. Whenever TLS is used the server's certificate and host name are verified.
    package enum TLSMode: String, Sendable, CaseIterable {
        /// Plain TCP (loopback and tests).
        case disable
        /// TLS when the server offers it, verified; plain otherwise.
        case prefer
        /// TLS or no connection, verified.
        case require
    }

    /// Settings with the defaults.
    package init() {}
}
