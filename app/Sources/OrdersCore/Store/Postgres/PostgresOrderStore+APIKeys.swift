import PostgresNIO

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension PostgresOrderStore {
    /// Stores a new key.
    func insertKey(_ record: APIKeyRecord) async throws {
        let created = Self.date(record.createdAtMilliseconds)
        try await perform("insert key") { client in
            _ = try await client.query(
                """
                INSERT INTO api_keys (key_id, secret_sha256, customer_id, is_admin, label, created_at)
                VALUES (\(record.keyID), \(record.secretDigest), \(record.customerID), \(record.customerID == nil),
                        \(record.label), \(created))
                """
            )
        }
    }

    /// Reads one key. The query returns one row whether the key exists or not (a stand-in row with an
    /// empty key id when it does not, see ``APIKeyLookup``), and that row is decoded either way, so an
    /// unknown key id costs the same work as a known one.
    func key(id keyID: String) async throws -> APIKeyRecord? {
        try await perform("read key") { client in
            let rows = try await client.query(
                """
                SELECT key_id, secret_sha256, customer_id, label, created_at, last_used_at, revoked_at
                FROM api_keys WHERE key_id = \(keyID)
                UNION ALL
                SELECT '', '', NULL, '', 'epoch'::timestamptz, NULL, NULL
                WHERE NOT EXISTS (SELECT 1 FROM api_keys WHERE key_id = \(keyID))
                """
            )
            return try await Self.keys(from: rows).first.flatMap { APIKeyLookup.found($0, for: keyID) }
        }
    }

    /// Reads every key.
    func allKeys() async throws -> [APIKeyRecord] {
        try await perform("list keys") { client in
            let rows = try await client.query(
                """
                SELECT key_id, secret_sha256, customer_id, label, created_at, last_used_at, revoked_at
                FROM api_keys ORDER BY created_at, key_id
                """
            )
            return try await Self.keys(from: rows)
        }
    }

    /// Revokes a key that is still valid.
    func revokeKey(id keyID: String, at time: Int64) async throws -> Bool {
        let revokedAt = Self.date(time)
        return try await perform("revoke key") { client in
            let rows = try await client.query(
                """
                UPDATE api_keys SET revoked_at = \(revokedAt)
                WHERE key_id = \(keyID) AND revoked_at IS NULL RETURNING key_id
                """
            )
            var count = 0
            for try await _ in rows.decode(String.self) { count += 1 }
            return count > 0
        }
    }

    /// Records a use.
    func touchKey(id keyID: String, at time: Int64) async throws {
        let usedAt = Self.date(time)
        try await perform("touch key") { client in
            _ = try await client.query("UPDATE api_keys SET last_used_at = \(usedAt) WHERE key_id = \(keyID)")
        }
    }

    private static func date(_ milliseconds: Int64) -> Date {
        Date(timeIntervalSince1970: Double(milliseconds) / 1000)
    }

    private static func milliseconds(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1000).rounded())
    }

    private static func keys(from rows: PostgresRowSequence) async throws -> [APIKeyRecord] {
        var result: [APIKeyRecord] = []
        for try await (keyID, digest, customerID, label, created, lastUsed, revoked) in rows.decode(
            (String, String, String?, String, Date, Date?, Date?).self
        ) {
            result.append(
                APIKeyRecord(
                    keyID: keyID,
                    secretDigest: digest,
                    customerID: customerID,
                    label: label,
                    createdAtMilliseconds: milliseconds(created),
                    lastUsedAtMilliseconds: lastUsed.map(milliseconds),
                    revokedAtMilliseconds: revoked.map(milliseconds)
                )
            )
        }
        return result
    }
}
