import ArgumentParser
import Logging
import ServiceLifecycle

/// `orders-service keys ...`: manage API keys in the store the service uses (same `STORE` and database
/// settings), so a key created here works at once on every running instance.
struct KeysCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys",
        abstract: "Create, list and revoke API keys.",
        subcommands: [CreateKeyCommand.self, ListKeysCommand.self, RevokeKeyCommand.self]
    )
}

struct CreateKeyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create",
        abstract: "Create a key and print it once: the token on standard output, a description on standard error."
    )

    @Option(help: "The customer the key may act for.")
    var customer: String?

    @Flag(help: "An operator key that reads every customer's orders.")
    var admin = false

    @Option(help: "A note for operators: who holds the key and what for.")
    var label: String = ""

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
    }

    func run() async throws {
        let generated = APIKey.generate()
        let record = APIKeyRecord(
            keyID: generated.keyID,
            secretDigest: generated.secretDigest,
            customerID: customer,
            label: label,
            createdAtMilliseconds: UTCTimestamp.nowMilliseconds()
        )
        try await withOpenStore { store in try await store.insertKey(record) }
        let scope = customer.map { "customer \($0)" } ?? "admin (all customers)"
        printError("created API key \(generated.keyID) for \(scope). It is shown once; store it now.")
        FileStream.standardOutput.write(generated.token + "\n")
    }
}

struct ListKeysCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List keys (never their secrets).")

    func run() async throws {
        let keys = try await withOpenStore { store in try await store.allKeys() }
        var lines = ["KEY_ID\tSCOPE\tCREATED_AT\tLAST_USED_AT\tREVOKED_AT\tLABEL"]
        for key in keys {
            let time = { (value: Int64?) in value.map { UTCTimestamp.format(millisecondsSinceEpoch: $0) } ?? "-" }
            let scope = key.customerID.map { "customer:\($0)" } ?? "admin"
            lines.append(
                [
                    key.keyID, scope, time(key.createdAtMilliseconds), time(key.lastUsedAtMilliseconds),
                    time(key.revokedAtMilliseconds), key.label,
                ].joined(separator: "\t")
            )
        }
        FileStream.standardOutput.write(lines.joined(separator: "\n") + "\n")
    }
}

struct RevokeKeyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "revoke", abstract: "Revoke a key by its id.")

    @Argument(help: "The key's id (the 16 hex digits after ord_live_).")
    var keyID: String

    func run() async throws {
        let revoked = try await withOpenStore { store in
            try await store.revokeKey(id: keyID, at: UTCTimestamp.nowMilliseconds())
        }
        guard revoked else {
            printError("no valid key with id \(keyID)")
            throw ExitCode(1)
        }
        FileStream.standardOutput.write("revoked \(keyID)\n")
    }
}

/// Opens the configured store, runs its services (pool, migrations) while `body` runs, then stops them.
func withOpenStore<Value: Sendable>(
    _ body: @escaping @Sendable (any OrderStore) async throws -> Value
) async throws -> Value {
    let configuration = try ProcessEnvironment.serviceConfiguration()
    var logger = Logger(label: "orders-service.keys")
    logger.logLevel = .error
    let store: any OrderStore
    do {
        store = try await makeStore(configuration.store, logger: logger)
    } catch {
        printError(
            "orders-service: cannot open the store: \(StartupError.describe(error, configuration: configuration))"
        )
        throw ExitCode(1)
    }
    let group = ServiceGroup(configuration: .init(services: store.services, logger: logger))
    return try await withThrowingTaskGroup(of: Value?.self) { tasks in
        tasks.addTask {
            try await group.run()
            return nil
        }
        defer { tasks.cancelAll() }
        // Three connection attempts' worth: long enough for a database that is starting, short enough
        // that a wrong address or certificate fails the command quickly.
        let connectTimeout = configuration.store.postgresSettings?.connectTimeout ?? .seconds(1)
        await store.waitUntilReady(timeout: max(.seconds(3), connectTimeout * 3))
        guard await store.readiness().isReady else {
            printError("orders-service: the store is not reachable")
            throw ExitCode(1)
        }
        let value = try await body(store)
        await group.triggerGracefulShutdown()
        return value
    }
}
