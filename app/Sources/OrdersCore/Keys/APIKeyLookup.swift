/// What the stores share for reading one key in the same time whether it exists or not: when no key
/// has the id, their query returns a stand-in row instead of none, decoded like a real one and then
/// recognised here by its empty key id, which no real key has (key ids are 16 hex digits).
enum APIKeyLookup {
    /// The key id of the stand-in row.
    static let standInKeyID = ""

    /// `record` when it is the key asked for, nil when it is the stand-in.
    static func found(_ record: APIKeyRecord, for keyID: String) -> APIKeyRecord? {
        record.keyID == keyID && record.keyID != standInKeyID ? record : nil
    }
}
