import ArgumentParser

/// The `orders-service` executable: the server by default, plus the operational modes that share its
/// configuration (container health probe, database bootstrap, API keys). ArgumentParser's asynchronous
/// entry point parses the command line, runs the chosen mode and exits with its status.
@main
struct OrdersServiceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "orders-service",
        abstract: "The orders API: serves HTTP on HTTP_HOST:HTTP_PORT, configured by environment variables.",
        subcommands: [ServeCommand.self, HealthcheckCommand.self, AdminCommand.self, KeysCommand.self],
        defaultSubcommand: ServeCommand.self
    )
}
