import AWSSecrets
import ArgumentParser
import OrdersCore

/// `orders-service keys create`: a new key for one customer or an admin key, handed once to a destination
/// only the operator reads.
///
/// On ECS a command's standard output is the task's log stream, which others can read for as long as it
/// is kept. So the token goes to a Secrets Manager secret (`--to-secretsmanager NAME`) or an SSM
/// `SecureString` parameter (`--to-ssm-parameter NAME`) the operator names, and to standard output only
/// when that is a terminal or `--to-stdout` says the operator's capture of it is safe. Without either, the
/// command refuses before it creates anything.
struct CreateKeyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create",
        abstract: "Create a key and hand the token once to a secret, a parameter or a terminal.",
        discussion: """
            The token goes to a Secrets Manager secret (--to-secretsmanager) or an SSM SecureString parameter \
            (--to-ssm-parameter), named by the operator and read back with the AWS CLI; or to standard output when \
            it is a terminal, or with --to-stdout. A description goes to standard error; nothing of the token \
            reaches a log unless --to-stdout sends it there.
            """
    )

    @Option(help: "The customer the key may act for.")
    var customer: String?

    @Flag(help: "An operator key that reads every customer's orders.")
    var admin = false

    @Option(help: "A note for operators: who holds the key and what for.")
    var label: String = ""

    @Option(name: .customLong("to-secretsmanager"), help: "Store the token in the Secrets Manager secret NAME.")
    var secretName: String?

    @Option(name: .customLong("to-ssm-parameter"), help: "Store the token in the SSM SecureString parameter NAME.")
    var parameterName: String?

    @Option(
        name: .customLong("kms-key-id"),
        help: "KMS key for a new secret or parameter (default: the account's aws/secretsmanager or aws/ssm key)."
    )
    var kmsKeyID: String?

    @Flag(help: "Write a new version of an existing secret or parameter instead of refusing.")
    var replace = false

    @Flag(
        name: .customLong("to-stdout"),
        help: "Print the token on standard output even when it is not a terminal (a file or pipe you control)."
    )
    var toStandardOutput = false

    func validate() throws {
        guard (customer == nil) == admin else {
            throw ValidationError("give exactly one of --customer ID or --admin")
        }
        if let customer {
            guard (1...64).contains(customer.unicodeScalars.count),
                !customer.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F })
            else {
                throw ValidationError("--customer must be 1 to 64 characters with no control characters")
            }
        }
        guard label.unicodeScalars.count <= 200 else { throw ValidationError("--label is at most 200 characters") }
        let destinations = [secretName != nil, parameterName != nil, toStandardOutput].filter { $0 }.count
        guard destinations <= 1 else {
            throw ValidationError("give at most one of --to-secretsmanager, --to-ssm-parameter and --to-stdout")
        }
        if let secretName, !Self.isName(secretName, extra: "/_+=.@-", maximum: 512) {
            throw ValidationError("--to-secretsmanager takes a secret name: 1 to 512 of A-Z a-z 0-9 / _ + = . @ -")
        }
        if let parameterName, !Self.isName(parameterName, extra: "/_.-", maximum: 1011) {
            throw ValidationError("--to-ssm-parameter takes a parameter name: 1 to 1011 of A-Z a-z 0-9 / _ . -")
        }
        if secretName == nil, parameterName == nil, kmsKeyID != nil || replace {
            throw ValidationError("--kms-key-id and --replace go with --to-secretsmanager or --to-ssm-parameter")
        }
    }

    func run() async throws {
        let destination = try chosenDestination()
        var aws: AWSSettings?
        if destination != .standardOutput {
            do {
                aws = try AWSSettings(settings: ProcessEnvironment.settings())
            } catch {
                printError("orders-service keys: \(error)")
                throw ExitCode(2)
            }
        }
        let generated = APIKey.generate()
        let record = APIKeyRecord(
            keyID: generated.keyID,
            secretDigest: generated.secretDigest,
            customerID: customer,
            label: label,
            createdAtMilliseconds: UTCTimestamp.nowMilliseconds()
        )
        let scope = customer.map { "customer \($0)" } ?? "admin (all customers)"
        guard let aws else {
            try await withOpenStore { store in try await store.insertKey(record) }
            printError("created API key \(generated.keyID) for \(scope). It is shown once; store it now.")
            printOutput(generated.token + "\n")
            return
        }
        let description = "orders-service API key \(generated.keyID) for \(scope)" + (label.isEmpty ? "" : ": \(label)")
        let (kmsKeyID, replace) = (self.kmsKeyID, self.replace)
        let stored = try await withOpenStore { store in
            try await store.insertKey(record)
            do {
                return try await destination.store(
                    token: generated.token,
                    description: description,
                    kmsKeyID: kmsKeyID,
                    replace: replace,
                    aws: aws
                )
            } catch {
                // Nobody holds the key: revoke it, so no valid key is left that nobody knows of.
                _ = try? await store.revokeKey(id: record.keyID, at: UTCTimestamp.nowMilliseconds())
                printError("orders-service keys: could not store the key, so it was revoked: \(error)")
                throw ExitCode(1)
            }
        }
        printError("created API key \(generated.keyID) for \(scope), stored in \(stored.location)")
        printError("read it with: \(stored.readCommand)")
    }

    /// The destination the options name, or standard output when it is a terminal; otherwise the command
    /// stops, before anything is created.
    private func chosenDestination() throws -> KeyDestination {
        if let secretName { return .secretsManager(name: secretName) }
        if let parameterName { return .ssmParameter(name: parameterName) }
        if toStandardOutput || standardOutputIsTerminal { return .standardOutput }
        printError(
            "orders-service keys: standard output is not a terminal, and whatever reads it (a task's log) would keep "
                + "the key: name a destination with --to-secretsmanager NAME or --to-ssm-parameter NAME, or pass "
                + "--to-stdout if you control where it goes"
        )
        throw ExitCode(2)
    }

    private static func isName(_ name: String, extra: String, maximum: Int) -> Bool {
        let allowed = Set(extra.utf8)
        return (1...maximum).contains(name.utf8.count)
            && name.utf8.allSatisfy {
                ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39)
                    || allowed.contains($0)
            }
    }
}
