import AWSSecrets
import ArgumentParser
import OrdersCore
import OrdersService

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// `orders-service admin rotate-service-password`: moves the service to its other login role with a new
/// password, without a moment in which a running or starting task holds a credential the database does
/// not accept.
///
/// 1. Reads the service's secret (`SERVICE_DATABASE_SECRET_ID`): the login role it names is in use.
/// 2. Logged in as the master user (`DATABASE_*`), sets a new random password, as a SCRAM verifier, on the
///    other login role, refusing if any session still logs in as it (tasks from before the previous
///    rotation, which must be replaced first).
/// 3. Logs in as that role with the new password, then writes both to the secret as its new version.
///
/// Tasks running keep their login, whose password did not change; tasks started from then on read the
/// new one. A deployment then replaces the old tasks, and the next rotation changes the role they used.
struct RotateServicePasswordCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rotate-service-password",
        abstract: "Give the service's other login role a new password, then name it in the service's secret."
    )

    func run() async throws {
        let settings = ProcessEnvironment.settings()
        let master: PostgresSettings
        let secretID: String
        let aws: AWSSettings
        do {
            master = try PostgresSettings(settings: settings)
            guard let id = settings.string("SERVICE_DATABASE_SECRET_ID") else {
                throw ConfigurationError(
                    variable: "SERVICE_DATABASE_SECRET_ID",
                    value: "",
                    expectation: "the name or ARN of the service's database secret"
                )
            }
            secretID = id
            aws = try AWSSettings(settings: settings)
        } catch {
            printError("orders-service admin: \(error)")
            throw ExitCode(2)
        }
        do {
            let report = try await AWSClient.with(settings: aws) { client in
                try await Self.rotate(secretID: secretID, master: master, secrets: SecretsManager(client: client))
            }
            printOutput(
                "the service's secret now names \(report.next) (new password); tasks running keep \(report.current) "
                    + "until a deployment replaces them. Deploy now, and let it finish before the next rotation.\n"
            )
            AdminLog.reportGroupLogin(report.outcome, group: ServiceRoles(login: report.next).group)
        } catch let error as ExitCode {
            throw error
        } catch {
            printError("orders-service admin: rotation failed: \(DatabaseBootstrap.describe(error))")
            throw ExitCode(1)
        }
    }

    /// What a rotation did.
    struct Report: Sendable {
        let current: String
        let next: String
        let outcome: DatabaseBootstrap.Outcome
    }

    /// Steps 1 to 3 above.
    static func rotate(secretID: String, master: PostgresSettings, secrets: SecretsManager) async throws -> Report {
        let secret = try await secrets.getSecretValue(secretID: secretID)
        guard let text = secret.secretString,
            var members = try? JSONDecoder().decode([String: String].self, from: Data(text.utf8)),
            let current = members["username"]
        else {
            printError("orders-service admin: the secret \(secret.arn) is not a JSON object of strings with a username")
            throw ExitCode(1)
        }
        do {
            try DatabaseBootstrap.ServiceLogin.validate(name: current, variable: "the secret's username")
        } catch {
            printError("orders-service admin: \(error)")
            throw ExitCode(1)
        }
        let next = ServiceRoles(login: current).next(after: current)
        let login = DatabaseBootstrap.ServiceLogin(name: next, password: Self.newPassword())
        let outcome = try await DatabaseBootstrap.rotate(master: master, to: login, logger: AdminLog.logger)
        try await DatabaseBootstrap.checkLogin(login, master: master, logger: AdminLog.logger)
        members["username"] = next
        members["password"] = login.passwordForSecret
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let value = String(decoding: try encoder.encode(members), as: UTF8.self)
        _ = try await secrets.putSecretValue(secretID: secret.arn, value: value)
        return Report(current: current, next: next, outcome: outcome)
    }

    /// 32 random bytes in base64url: 43 characters, 256 bits, safe in a URL, a shell and SASLprep.
    static func newPassword() -> String {
        var generator = SystemRandomNumberGenerator()
        return Base64URL.encode((0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) })
    }
}
