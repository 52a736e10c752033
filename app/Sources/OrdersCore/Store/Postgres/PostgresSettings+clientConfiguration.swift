import NIOSSL
import PostgresNIO

extension PostgresSettings {
    /// The postgres-nio client configuration for these settings; throws a ``ConfigurationError`` when the
    /// CA file cannot be read, so a wrong path stops the process at start-up with one line.
    func clientConfiguration() throws -> PostgresClient.Configuration {
        let tls: PostgresClient.Configuration.TLS
        switch self.tls {
        case .disable:
            tls = .disable
        case .prefer:
            tls = .prefer(try tlsConfiguration())
        case .require:
            tls = .require(try tlsConfiguration())
        }
        var configuration = PostgresClient.Configuration(
            host: host,
            port: port,
            username: user,
            password: password,
            database: database,
            tls: tls
        )
        // A fixed pool: `poolSize` connections, opened at start and kept, and no keep-alive queries. The
        // pool arms a timer (`Task.sleep`) each time a connection goes idle, for its keep-alive (30 s) and,
        // above the minimum, its idle timeout (60 s); under load a connection goes idle thousands of times a
        // second, and a cancelled sleep stays queued until its deadline, so those timers held about 15 MiB
        // (docs/benchmarks.md). The readiness monitor's `SELECT 1` every second already exercises the pool,
        // and the database budget counts `poolSize` per task in any case.
        configuration.options.maximumConnections = poolSize
        configuration.options.minimumConnections = poolSize
        configuration.options.keepAliveBehavior = nil
        configuration.options.connectTimeout = connectTimeout
        if let searchPath {
            configuration.options.additionalStartupParameters = [("search_path", searchPath)]
        }
        return configuration
    }

    /// Verification is always on: against the CA file when one is given (RDS), else the system roots.
    private func tlsConfiguration() throws -> TLSConfiguration {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.certificateVerification = .fullVerification
        if let caFile {
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
