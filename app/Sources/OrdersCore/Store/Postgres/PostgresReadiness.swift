import Synchronization

/// What the store knows about its database right now, kept up to date by ``PostgresStoreMonitor`` and by
/// the outcome of every query, and read without blocking on each request and probe.
final class PostgresReadiness: Sendable {
    private struct State {
        var migrated = false
        var reachable = false
        var reason: String? = "not connected yet"
    }

    private let state = Mutex(State())

    /// Ready means migrated and reachable.
    var current: StoreReadiness {
        state.withLock { state in
            state.migrated && state.reachable
                ? .ready : StoreReadiness(isReady: false, reason: state.reason ?? "database not ready")
        }
    }

    var isMigrated: Bool { state.withLock { $0.migrated } }

    func markMigrated() {
        state.withLock {
            $0.migrated = true
            $0.reachable = true
            $0.reason = nil
        }
    }

    /// Records whether the database answered; returns true when this changed the state.
    @discardableResult
    func markReachable(_ reachable: Bool, reason: String?) -> Bool {
        state.withLock { state in
            let changed = state.reachable != reachable
            state.reachable = reachable
            state.reason = reachable ? nil : reason
            return changed
        }
    }
}
