import OrdersCore

/// What the store said about presented credentials, remembered for a while: the key's record when the
/// credential is valid, or a refusal when it is not (an unknown key id, a known id with a wrong secret,
/// a revoked key).
///
/// The cache is keyed by the whole credential (key id and secret digest), not by the key id, so a known
/// id with a wrong secret takes exactly the path of an unknown id: the first time, one store read; within
/// the lifetime, none. Response times therefore say nothing about which key ids exist.
///
/// It holds at most ``capacity`` credentials and forgets the oldest first, so a flood of made-up keys
/// costs bounded memory; every entry lives the same time, so the oldest is also the first to expire.
struct CredentialCache {
    /// What is remembered about one credential.
    enum Verdict {
        /// The credential is valid for this key.
        case valid(APIKeyRecord)
        /// The credential is not valid.
        case refused
    }

    private struct Entry {
        let verdict: Verdict
        let storedAt: ContinuousClock.Instant
        let slot: Int
    }

    /// Most credentials remembered at once.
    let capacity: Int
    /// How long a verdict is trusted.
    let lifetime: Duration
    private var entries: [String: Entry] = [:]
    /// Credentials in the order they were stored, as a ring: the next slot to overwrite is the oldest.
    private var ring: [String?]
    private var nextSlot = 0

    /// An empty cache.
    init(capacity: Int, lifetime: Duration) {
        self.capacity = max(1, capacity)
        self.lifetime = lifetime
        self.ring = Array(repeating: nil, count: max(1, capacity))
    }

    /// The verdict on `credential` stored less than ``lifetime`` before `now`, if any.
    func verdict(for credential: String, at now: ContinuousClock.Instant) -> Verdict? {
        guard let entry = entries[credential], now - entry.storedAt < lifetime else { return nil }
        return entry.verdict
    }

    /// Remembers `verdict` on `credential` from `now`, forgetting the oldest credential when full.
    mutating func store(_ verdict: Verdict, for credential: String, at now: ContinuousClock.Instant) {
        if let previous = entries[credential] { ring[previous.slot] = nil }
        if let oldest = ring[nextSlot] { entries[oldest] = nil }
        ring[nextSlot] = credential
        entries[credential] = Entry(verdict: verdict, storedAt: now, slot: nextSlot)
        nextSlot = (nextSlot + 1) % capacity
    }

    /// How many credentials are remembered.
    var count: Int { entries.count }
}
