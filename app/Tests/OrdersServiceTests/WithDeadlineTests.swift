import Synchronization
import Testing

@testable import OrdersCore

/// `withDeadline` on its own: whichever of the operation, the bound and the caller's cancellation comes
/// first answers the caller, exactly once, and the operation is cancelled when it lost.
@Suite("A deadline around a store call", .timeLimit(.minutes(1)))
struct WithDeadlineTests {
    /// A bound no operation here reaches unless it is meant to.
    static let longBound: Duration = .seconds(60)

    struct OperationFailed: Error {}

    @Test("the operation's value, when it finishes first")
    func valueFirst() async throws {
        #expect(try await withDeadline(Self.longBound, "quick") { 42 } == 42)
    }

    @Test("the operation's own error, when it fails first")
    func errorFirst() async throws {
        await #expect(throws: OperationFailed.self) {
            try await withDeadline(Self.longBound, "failing") { () async throws -> Int in throw OperationFailed() }
        }
    }

    @Test("at the bound, StoreUnavailableError, although the operation ignores cancellation and still runs")
    func boundFirst() async throws {
        let gate = Gate()
        let bound: Duration = .milliseconds(100)
        let started = ContinuousClock.now
        await #expect(throws: StoreUnavailableError.self) {
            try await withDeadline(bound, "stuck") { () async -> Int in
                await gate.wait()
                return 1
            }
        }
        let answered = ContinuousClock.now - started
        #expect(answered >= bound, "not before the bound: \(answered)")
        #expect(!gate.hasPassed, "the caller was answered while the operation was still stuck")
        gate.open()
        #expect(await gate.sawCancellation(), "the operation that lost was cancelled")
    }

    @Test("the caller's cancellation: CancellationError before the bound, and the operation is cancelled")
    func callerCancelledFirst() async throws {
        let gate = Gate()
        let caller = Task {
            try await withDeadline(Self.longBound, "stuck") { () async -> Int in
                await gate.wait()
                return 1
            }
        }
        try await waitUntil("the operation runs", within: .seconds(30)) { gate.isWaiting }
        let cancelled = ContinuousClock.now
        caller.cancel()
        await #expect(throws: CancellationError.self) { try await caller.value }
        #expect(ContinuousClock.now - cancelled < Self.longBound, "answered by the cancellation, not the bound")
        gate.open()
        #expect(await gate.sawCancellation())
    }

    @Test("a caller cancelled before the call gets CancellationError, even from an operation that would succeed")
    func callerCancelledBefore() async throws {
        let caller = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return try await withDeadline(Self.longBound, "never needed") { 1 }
        }
        await #expect(throws: CancellationError.self) { try await caller.value }
    }

    @Test("when the operation, the bound and the caller's cancellation come together, the caller gets one answer")
    func simultaneousFinishes() async throws {
        // A second resumption of the caller would trap, and a lost one would hang past the time limit.
        var outcomes: [String: Int] = [:]
        for round in 0..<300 {
            let caller = Task {
                try await withDeadline(.milliseconds(1), "race") { () async throws -> Int in
                    try await sleepOnEventLoop(for: .milliseconds(1))
                    return round
                }
            }
            if round % 3 == 0 { caller.cancel() }
            do {
                let value = try await caller.value
                #expect(value == round)
                outcomes["value", default: 0] += 1
            } catch is StoreUnavailableError {
                outcomes["bound", default: 0] += 1
            } catch is CancellationError {
                outcomes["cancelled", default: 0] += 1
            }
        }
        #expect(outcomes.values.reduce(0, +) == 300, "every call answered once: \(outcomes)")
    }
}
