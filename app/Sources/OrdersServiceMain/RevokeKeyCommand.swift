import ArgumentParser
import OrdersCore

/// `orders-service keys revoke KEY_ID`: every instance refuses the key within its cache lifetime.
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
        printOutput("revoked \(keyID)\n")
    }
}
