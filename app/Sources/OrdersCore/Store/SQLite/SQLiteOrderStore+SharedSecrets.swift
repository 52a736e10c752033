import SQLiteNIO

extension SQLiteOrderStore {
    /// The secret named `name`, stored first when absent; both statements run on the writer, so the read
    /// sees the insert.
    func sharedSecret(named name: String, storingIfAbsent candidate: [UInt8]) async throws -> [UInt8] {
        _ = try await writer.rows(
            """
            INSERT INTO shared_secrets (name, value_hex, created_at_ms) VALUES (?, ?, ?)
            ON CONFLICT (name) DO NOTHING
            """,
            [.text(name), .text(Hex.encode(candidate)), .integer(Int(UTCTimestamp.nowMilliseconds()))]
        )
        let rows = try await writer.rows("SELECT value_hex FROM shared_secrets WHERE name = ?", [.text(name)])
        guard let text = rows.first?.column("value_hex")?.string, let value = Hex.decode(text) else {
            throw StoreUnavailableError("the shared secret \(name) cannot be read")
        }
        return value
    }
}
