import ArgumentParser

/// Operator tasks that run once, as the one-off admin task on ECS, never as part of the service.
struct AdminCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "admin",
        abstract: "One-off operator tasks.",
        subcommands: [BootstrapDatabaseCommand.self, RotateServicePasswordCommand.self]
    )
}
