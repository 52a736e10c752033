import ArgumentParser
import Logging
import OrdersCore
import OrdersService

/// `orders-service admin bootstrap-database`: logs in with the database's master credentials
/// (`DATABASE_*`) and creates or updates the service's own role (`SERVICE_DATABASE_USER`,
/// `SERVICE_DATABASE_PASSWORD`) with a schema it owns. Safe to run again: it then sets the password,
/// which is how the service's password is rotated.
struct BootstrapDatabaseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bootstrap-database",
        abstract: "Create (or update) the service's least-privilege database role and its schema."
    )

    func run() async throws {
        let settings = ProcessEnvironment.settings()
        let master: PostgresSettings
        let serviceRole: DatabaseBootstrap.ServiceRole
        do {
            master = try PostgresSettings(settings: settings)
            serviceRole = try DatabaseBootstrap.ServiceRole(settings: settings)
        } catch {
            printError("orders-service admin: \(error)")
            throw ExitCode(2)
        }
        var logger = Logger(label: "orders-service.admin")
        logger.logLevel = .info
        do {
            try await DatabaseBootstrap.run(master: master, role: serviceRole, logger: logger)
        } catch {
            printError("orders-service admin: bootstrap failed: \(DatabaseBootstrap.describe(error))")
            throw ExitCode(1)
        }
        printOutput(
            "database role \(serviceRole.name) and schema \(serviceRole.name) are ready in \(master.database)\n"
        )
    }
}
