import ArgumentParser
import Configuration
import OrdersService

/// The process environment as the service reads it, with the variables that hold secrets marked so
/// swift-configuration never prints their values.
enum ProcessEnvironment {
    static let secretVariables: Set<String> = ["DATABASE_PASSWORD", "DATABASE_URL", "SERVICE_DATABASE_PASSWORD"]

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
}
