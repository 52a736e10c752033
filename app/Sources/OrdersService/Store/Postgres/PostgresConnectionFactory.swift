import Logging
import NIOSSL
import PostgresNIO

/// Turns ``PostgresSettings`` into a postgres-nio client configuration.
enum PostgresClientConfiguration {
    /// The client configuration; throws a ``ConfigurationError`` when the CA file cannot be read, so a
    /// wrong path stops the process at start-up with one line.
    static func make(_ settings: PostgresSettings) throws -> PostgresClient.Configuration {
        let tls: PostgresClient.Configuration.TLS
        switch settings.tls {
        case .disable:
            tls = .disable
        case .prefer:
            tls = .prefer(try tlsConfiguration(settings))
        case .require:
            tls = .require(try tlsConfiguration(settings))
        }
        var configuration = PostgresClient.Configuration(
            host: settings.host,
            port: settings.port,
            username: settings.user,
            password: settings.password,
            database: settings.database,
            tls: tls
        )
        configuration.options.maximumConnections = settings.poolSize
        configuration.options.minimumConnections = min(2, settings.poolSize)
        configuration.options.connectTimeout = settings.connectTimeout
        if let searchPath = settings.searchPath {
            configuration.options.additionalStartupParameters = [("search_path", searchPath)]
        }
        return configuration
    }

    /// Verification is always on: against the CA file when one is given (RDS), else the system roots.
    private static func tlsConfiguration(_ settings: PostgresSettings) throws -> TLSConfiguration {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.certificateVerification = .fullVerification
        if let caFile = settings.caFile {
            do {
                let certificates = try NIOSSLCertificate.fromPEMFile(caFile)
                guard !certificates.isEmpty else { throw NIOSSLError.failedToLoadCertificate }
                configuration.trustRoots = .certificates(certificates)
            } catch {
                throw ConfigurationError(
                    variable: "DATABASE_TLS_CA_FILE",
                    value: caFile,
                    expectation: "a readable PEM file of CA certificates"
                )
            }
        }
        return configuration
    }
}
