import Testing

@testable import OrdersCore

@Suite("Sleeping on the event loop's timer")
struct SleepOnEventLoopTests {
    /// A sleep no test here should ever wait out: a cancelled sleep must end long before it.
    static let longSleep: Duration = .seconds(60)

    @Test("a sleep lasts at least its duration")
    func sleepsItsDuration() async throws {
        let duration: Duration = .milliseconds(100)
        let started = ContinuousClock.now
        try await sleepOnEventLoop(for: duration)
        let slept = ContinuousClock.now - started
        #expect(slept >= duration, "slept \(slept)")
    }

    @Test("a cancelled sleep ends with CancellationError, long before its duration")
    func cancelledSleepEnds() async throws {
        let sleeper = Task { try await sleepOnEventLoop(for: Self.longSleep) }
        // Time for the sleep to arm its timer, so the cancellation has a scheduled task to remove.
        try await Task.sleep(for: .milliseconds(50))
        let started = ContinuousClock.now
        sleeper.cancel()
        await #expect(throws: CancellationError.self) { try await sleeper.value }
        let took = ContinuousClock.now - started
        #expect(took < Self.longSleep, "ended by the cancellation, after \(took)")
    }

    @Test("a sleep in an already cancelled task does not wait")
    func alreadyCancelled() async throws {
        let sleeper = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            try await sleepOnEventLoop(for: Self.longSleep)
        }
        let started = ContinuousClock.now
        await #expect(throws: CancellationError.self) { try await sleeper.value }
        let took = ContinuousClock.now - started
        #expect(took < Self.longSleep, "ended at once, after \(took)")
    }
}
