import ArgumentParser

/// `orders-service keys ...`: manage API keys in the store the service uses (same `STORE` and database
/// settings), so a key created here works at once on every running instance.
struct KeysCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys",
        abstract: "Create, list and revoke API keys.",
        subcommands: [CreateKeyCommand.self, ListKeysCommand.self, RevokeKeyCommand.self]
    )
}
