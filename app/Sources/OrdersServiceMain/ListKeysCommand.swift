import ArgumentParser
import OrdersCore

/// `orders-service keys list`: every key with its scope and times, never a secret.
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
        printOutput(lines.joined(separator: "\n") + "\n")
    }
}
