import SQLiteNIO

extension SQLiteOrderStore {
    private static let keyColumns =
        "key_id, secret_sha256, customer_id, label, created_at_ms, last_used_at_ms, revoked_at_ms"
    /// The stand-in row of ``key(id:)`` when no key has the id (see ``APIKeyLookup``).
    private static let standInColumns = "'', '', NULL, '', 0, NULL, NULL"
    /// The key lookup's SQL, built once: a read looks its prepared statement up by this text.
    private static let keyByID = """
        SELECT \(keyColumns) FROM api_keys WHERE key_id = ?
        UNION ALL
        SELECT \(standInColumns) WHERE NOT EXISTS (SELECT 1 FROM api_keys WHERE key_id = ?)
        """

    /// Stores a new key.
    func insertKey(_ record: APIKeyRecord) async throws {
        _ = try await writer.rows(
            """
            INSERT INTO api_keys (key_id, secret_sha256, customer_id, is_admin, label, created_at_ms)
            VALUES (?, ?, ?, ?, ?, ?)
            """,
            [
                .text(record.keyID), .text(record.secretDigest), record.customerID.map { .text($0) } ?? .null,
                .integer(record.customerID == nil ? 1 : 0), .text(record.label),
                .integer(Int(record.createdAtMilliseconds)),
            ]
        )
    }

    /// Reads one key. The query returns one row whether the key exists or not (a stand-in row with an
    /// empty key id when it does not), and that row is decoded either way, so an unknown key id costs
    /// the same work as a known one: the answer's timing does not tell which ids exist.
    func key(id keyID: String) async throws -> APIKeyRecord? {
        let rows = try reader.read(
            Self.keyByID,
            [.text(keyID), .text(keyID)],
            row: Self.key(from:)
        )
        return rows.first.flatMap { APIKeyLookup.found($0, for: keyID) }
    }

    /// Reads every key.
    func allKeys() async throws -> [APIKeyRecord] {
        try reader.read("SELECT \(Self.keyColumns) FROM api_keys ORDER BY created_at_ms, key_id", row: Self.key(from:))
    }

    /// Revokes a key that is still valid.
    func revokeKey(id keyID: String, at time: Int64) async throws -> Bool {
        let rows = try await writer.rows(
            "UPDATE api_keys SET revoked_at_ms = ? WHERE key_id = ? AND revoked_at_ms IS NULL RETURNING key_id",
            [.integer(Int(time)), .text(keyID)]
        )
        return !rows.isEmpty
    }

    /// Records a use.
    func touchKey(id keyID: String, at time: Int64) async throws {
        _ = try await writer.rows(
            "UPDATE api_keys SET last_used_at_ms = ? WHERE key_id = ?",
            [.integer(Int(time)), .text(keyID)]
        )
    }

    /// The columns of ``keyColumns``, by position.
    private static func key(from row: SQLiteColumns) throws -> APIKeyRecord {
        guard let keyID = row.text(0), let digest = row.text(1), let label = row.text(3),
            let created = row.integer(4)
        else {
            throw StoreUnavailableError("an api_keys row is missing a column")
        }
        return APIKeyRecord(
            keyID: keyID,
            secretDigest: digest,
            customerID: row.text(2),
            label: label,
            createdAtMilliseconds: created,
            lastUsedAtMilliseconds: row.integer(5),
            revokedAtMilliseconds: row.integer(6)
        )
    }
}
