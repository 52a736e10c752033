import ArgumentParser
import Logging
import OrdersCore
import OrdersService

/// `orders-service admin bootstrap-database`: logs in with the database's master credentials
/// (`DATABASE_*`) and creates or brings up to date the service's roles (a group that owns the schema and
/// two login roles that take turns, see ``ServiceRoles``), then sets the password of the login the
/// service's secret names (`SERVICE_DATABASE_USER`, `SERVICE_DATABASE_PASSWORD`). Safe to run again.
struct BootstrapDatabaseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bootstrap-database",
        abstract: "Create (or update) the service's least-privilege database roles and schema."
    )

    func run() async throws {
        let settings = ProcessEnvironment.settings()
        let master: PostgresSettings
        let login: DatabaseBootstrap.ServiceLogin
        do {
            master = try PostgresSettings(settings: settings)
            login = try DatabaseBootstrap.ServiceLogin(settings: settings)
        } catch {
            printError("orders-service admin: \(error)")
            throw ExitCode(2)
        }
        let outcome: DatabaseBootstrap.Outcome
        do {
            outcome = try await DatabaseBootstrap.run(master: master, login: login, logger: AdminLog.logger)
        } catch {
            printError("orders-service admin: bootstrap failed: \(DatabaseBootstrap.describe(error))")
            throw ExitCode(1)
        }
        let group = login.roles.group
        printOutput(
            "database roles \(login.roles.logins.joined(separator: ", ")) (members of \(group)) and schema \(group) are ready in \(master.database); \(login.name) has the secret's password\n"
        )
        AdminLog.reportGroupLogin(outcome, group: group)
    }
}
