import Testing

@testable import OrdersCore

@Suite("Timers on the event loop")
struct TimerTests {
    @Test("a sleep lasts its duration")
    func sleepsItsDuration() async throws {
        let started = ContinuousClock.now
        try await sleepOnEventLoop(for: .milliseconds(100))
        let slept = ContinuousClock.now - started
        #expect(slept >= .milliseconds(100) && slept < .seconds(2))
    }

    @Test("a cancelled sleep ends at once with CancellationError")
    func cancelledSleepEnds() async throws {
        let sleeper = Task { try await sleepOnEventLoop(for: .seconds(30)) }
        try await Task.sleep(for: .milliseconds(50))
        let cancelled = ContinuousClock.now
        sleeper.cancel()
        await #expect(throws: CancellationError.self) { try await sleeper.value }
        #expect(ContinuousClock.now - cancelled < .seconds(1))
    }

    @Test("a sleep in an already cancelled task does not wait")
    func alreadyCancelled() async throws {
        let sleeper = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            try await sleepOnEventLoop(for: .seconds(30))
        }
        let started = ContinuousClock.now
        await #expect(throws: CancellationError.self) { try await sleeper.value }
        #expect(ContinuousClock.now - started < .seconds(1))
    }
}
