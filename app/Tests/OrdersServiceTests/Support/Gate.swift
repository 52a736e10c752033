import Synchronization

/// An operation's stand-in that waits until the test opens it, whatever cancellation says, and records
/// whether it had been cancelled by then.
final class Gate: Sendable {
    private struct State {
        var waiter: CheckedContinuation<Void, Never>?
        var isOpen = false
        var sawCancellation: Bool?
    }

    private let state = Mutex(State())

    /// Whether an operation is waiting at the gate now.
    var isWaiting: Bool { state.withLock { $0.waiter != nil } }

    /// Whether an operation has gone through the gate.
    var hasPassed: Bool { state.withLock { $0.sawCancellation != nil } }

    /// Waits until ``open()``, then records whether the calling task was cancelled.
    func wait() async {
        await withCheckedContinuation { continuation in
            let resumeNow = state.withLock { state -> Bool in
                if state.isOpen { return true }
                state.waiter = continuation
                return false
            }
            if resumeNow { continuation.resume() }
        }
        let cancelled = Task.isCancelled
        state.withLock { $0.sawCancellation = cancelled }
    }

    /// Lets the waiting operation go on.
    func open() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            state.isOpen = true
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }

    /// Whether the operation had been cancelled when it went through, once it has.
    func sawCancellation() async -> Bool {
        while true {
            if let saw = state.withLock({ $0.sawCancellation }) { return saw }
            try? await Task.sleep(for: .milliseconds(10))
        }
    }
}
