import Synchronization

/// Runs `operation` but answers within `timeout` whatever it does: when the bound passes first, the
/// caller gets ``StoreUnavailableError`` at once and the operation is cancelled and left to finish on its
/// own. A task group would not do here: it waits for every child, so a database call that ignores
/// cancellation (a query on a half-open connection) would hold the request for as long as it hangs.
func withDeadline<Value: Sendable>(
    _ timeout: Duration,
    _ description: String,
    operation: @escaping @Sendable () async throws -> Value
) async throws -> Value {
    try await withDeadline(
        until: ContinuousClock.now + timeout,
        timeoutError: { StoreUnavailableError("\(description) took longer than \(timeout)") },
        operation: operation
    )
}

/// The same race with a fixed end: when `deadline` passes before `operation` answers, the caller gets
/// `timeoutError()` at once and the operation is cancelled and left to finish on its own.
package func withDeadline<Value: Sendable>(
    until deadline: ContinuousClock.Instant,
    timeoutError: @escaping @Sendable () -> any Error,
    operation: @escaping @Sendable () async throws -> Value
) async throws -> Value {
    let race = DeadlineRace<Value>()
    return try await withTaskCancellationHandler {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Value, any Error>) in
            race.start(continuation: continuation)
            let work = Task {
                do {
                    race.finish(.success(try await operation()))
                } catch {
                    race.finish(.failure(error))
                }
            }
            let timer = Task {
                try await sleepOnEventLoop(for: deadline - ContinuousClock.now)
                if race.finish(.failure(timeoutError())) {
                    work.cancel()
                }
            }
            race.attach(work: work, timer: timer)
        }
    } onCancel: {
        race.finish(.failure(CancellationError()))
    }
}

/// The shared state of one ``withDeadline(_:_:operation:)`` call: whichever side finishes first resumes
/// the caller, exactly once, and stops the other. A result that arrives before the continuation exists
/// (the caller was already cancelled) is kept and delivered when it does.
private final class DeadlineRace<Value: Sendable>: Sendable {
    private struct State {
        var continuation: CheckedContinuation<Value, any Error>?
        var pending: Result<Value, any Error>?
        var work: Task<Void, Never>?
        var timer: Task<Void, any Error>?
        var finished = false
    }

    private let state = Mutex(State())

    func start(continuation: CheckedContinuation<Value, any Error>) {
        let pending = state.withLock { state -> Result<Value, any Error>? in
            guard let pending = state.pending else {
                state.continuation = continuation
                return nil
            }
            state.pending = nil
            return pending
        }
        if let pending { continuation.resume(with: pending) }
    }

    func attach(work: Task<Void, Never>, timer: Task<Void, any Error>) {
        let finished = state.withLock { state -> Bool in
            state.work = work
            state.timer = timer
            return state.finished
        }
        if finished {
            timer.cancel()
            work.cancel()
        }
    }

    /// Resumes the caller with `result` if nobody has yet; returns whether this call did it.
    @discardableResult
    func finish(_ result: Result<Value, any Error>) -> Bool {
        let claimed = state.withLock {
            state -> (
                won: Bool, continuation: CheckedContinuation<Value, any Error>?, work: Task<Void, Never>?,
                timer: Task<Void, any Error>?
            ) in
            guard !state.finished else { return (false, nil, nil, nil) }
            state.finished = true
            let continuation = state.continuation
            state.continuation = nil
            if continuation == nil { state.pending = result }
            return (true, continuation, state.work, state.timer)
        }
        guard claimed.won else { return false }
        claimed.timer?.cancel()
        if case .failure = result { claimed.work?.cancel() }
        claimed.continuation?.resume(with: result)
        return true
    }
}
