import ArgumentParser
import Configuration
import OrdersService

/// The process environment as the service reads it, with the variables that hold secrets marked so
/// swift-configuration never prints their values.
enum ProcessEnvironment {
    static let secretVariables: Set<String> = [
        "DATABASE_PASSWORD", "DATABASE_URL", "SERVICE_DATABASE_PASSWORD", "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN", "AWS_CONTAINER_AUTHORIZATION_TOKEN",
    ]

    static func settings() -> SettingsReader {
        let provider = EnvironmentVariablesProvider(secretsSpecifier: .specific(secretVariables))
        return SettingsReader(reader: ConfigReader(provider: provider))
    }

    /// Reads the service configuration, or prints the one-line reason and exits with status 2.
    static func serviceConfiguration() throws -> ServiceConfiguration {
        do {
            return try ServiceConfiguration(settings: settings())
        } catch {
            printError("orders-service: \(error)")
            throw ExitCode(2)
        }
    }

    /// The configuration the `keys` commands use: the service's, logging in as the service's own login
    /// when `SERVICE_DATABASE_USER` and `SERVICE_DATABASE_PASSWORD` are set. The admin task holds both the
    /// master login (`DATABASE_*`) and the service's; the keys live in the service's schema, and a key
    /// command needs no more rights than the service has.
    static func keysConfiguration() throws -> ServiceConfiguration {
        var configuration = try serviceConfiguration()
        let settings = settings()
        if case .postgres(var postgres) = configuration.store, let user = settings.string("SERVICE_DATABASE_USER"),
            let password = settings.string("SERVICE_DATABASE_PASSWORD", isSecret: true)
        {
            postgres.user = user
            postgres.password = password
            configuration.store = .postgres(postgres)
        }
        return configuration
    }
}
