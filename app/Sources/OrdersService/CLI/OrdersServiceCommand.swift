public import ArgumentParser
import Configuration

/// The `orders-service` executable: the server by default, plus the operational modes that share its
/// configuration (container health probe, database bootstrap, API keys).
public struct OrdersServiceCommand: AsyncParsableCommand {
    /// The command tree.
    public static let configuration = CommandConfiguration(
        commandName: "orders-service",
        abstract: "The orders API: serves HTTP on HTTP_HOST:HTTP_PORT, configured by environment variables.",
        subcommands: [ServeCommand.self, HealthcheckCommand.self, AdminCommand.self, KeysCommand.self],
        defaultSubcommand: ServeCommand.self
    )

    /// Creates the command.
    public init() {}
}

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

/// Writes one line to standard error.
func printError(_ line: String) {
    var standardError = StandardError()
    print(line, to: &standardError)
}

private struct StandardError: TextOutputStream {
    mutating func write(_ string: String) {
        FileStream.standardError.write(string)
    }
}

extension OrdersServiceCommand {
    /// Parses the process's arguments and runs the chosen mode, exiting with its status. This is the
    /// asynchronous entry point spelled out, so the synchronous one of `ParsableCommand` is never picked.
    public static func runFromCommandLine() async {
        do {
            var command = try await asyncParseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            exit(withError: error)
        }
    }
}
