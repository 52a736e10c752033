import NIOCore
import Synchronization

/// Every client connection of one listener, whether each is busy with a request or idle, and the limit
/// on how many are held at once.
///
/// A connection over the limit makes room by closing the connection that has been idle the longest
/// (a keep-alive connection between requests, or one that has sent no complete request head yet, such as
/// a slow or silent client); when every connection is busy, the new one is refused by closing it. Either
/// is counted in ``ConnectionMetrics``. A client whose idle connection is closed sees what an idle timeout
/// does, and opens a new one.
final class ConnectionRegistry: Sendable {
    private struct Entry {
        let channel: any Channel
        /// When the connection last became idle; nil while a request is in progress.
        var idleSince: ContinuousClock.Instant?
    }

    /// Most connections held at once.
    let limit: Int
    private let metrics: ConnectionMetrics
    private let entries = Mutex<[ObjectIdentifier: Entry]>([:])

    /// A registry holding at most `limit` connections.
    init(limit: Int, metrics: ConnectionMetrics) {
        self.limit = limit
        self.metrics = metrics
    }

    /// Registers a new connection; false when it must be refused. An idle connection closed to make room
    /// is closed here.
    func admit(_ channel: any Channel) -> Bool {
        let now = ContinuousClock.now
        let (admitted, evicted, count) = entries.withLock { entries -> (Bool, (any Channel)?, Int) in
            var evicted: (any Channel)?
            if entries.count >= limit {
                var oldest: (key: ObjectIdentifier, since: ContinuousClock.Instant)?
                for (key, entry) in entries {
                    if let since = entry.idleSince, oldest.map({ since < $0.since }) ?? true {
                        oldest = (key, since)
                    }
                }
                guard let oldest else { return (false, nil, entries.count) }
                evicted = entries.removeValue(forKey: oldest.key)?.channel
            }
            entries[ObjectIdentifier(channel)] = Entry(channel: channel, idleSince: now)
            return (true, evicted, entries.count)
        }
        if let evicted {
            metrics.closedIdleConnection()
            evicted.close(promise: nil)
        }
        if !admitted { metrics.refusedConnection() }
        metrics.opened(count: count)
        return admitted
    }

    /// Marks the connection busy: a request head has arrived.
    func markBusy(_ channel: any Channel) {
        entries.withLock { $0[ObjectIdentifier(channel)]?.idleSince = nil }
    }

    /// Marks the connection idle: its last response is written.
    func markIdle(_ channel: any Channel) {
        let now = ContinuousClock.now
        entries.withLock { $0[ObjectIdentifier(channel)]?.idleSince = now }
    }

    /// Forgets a closed connection.
    func remove(_ channel: any Channel) {
        let count = entries.withLock { entries -> Int in
            entries[ObjectIdentifier(channel)] = nil
            return entries.count
        }
        metrics.opened(count: count)
    }
}
