import PostgresNIO

extension PostgresOrderStore {
    /// The secret named `name`, stored first when absent. Tasks starting together race on the insert;
    /// the primary key lets one win, and every task reads the winner's value.
    func sharedSecret(named name: String, storingIfAbsent candidate: [UInt8]) async throws -> [UInt8] {
        let candidateText = Hex.encode(candidate)
        let stored = try await perform("read shared secret") { client -> String? in
            _ = try await client.query(
                """
                INSERT INTO shared_secrets (name, value_hex) VALUES (\(name), \(candidateText))
                ON CONFLICT (name) DO NOTHING
                """
            )
            let rows = try await client.query("SELECT value_hex FROM shared_secrets WHERE name = \(name)")
            for try await text in rows.decode(String.self) { return text }
            return nil
        }
        guard let stored, let value = Hex.decode(stored) else {
            throw StoreUnavailableError("the shared secret \(name) cannot be read")
        }
        return value
    }
}
