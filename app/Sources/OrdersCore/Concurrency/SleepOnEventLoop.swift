import NIOCore
import NIOPosix

/// Waits for `duration` on an event loop's timer, or until the calling task is cancelled.
///
/// Every request and every database call arms one of these and nearly always cancels it. `Task.sleep`
/// keeps a cancelled sleep's timer queued until its deadline would have passed, so at a few thousand
/// requests a second with a 10 s limit the process held tens of megabytes of dead timers. NIO drops a
/// cancelled scheduled task from its queue at once.
package func sleepOnEventLoop(for duration: Duration) async throws {
    let eventLoop = MultiThreadedEventLoopGroup.singleton.any()
    let promise = eventLoop.makePromise(of: Void.self)
    let scheduled = eventLoop.scheduleTask(in: .nanoseconds(duration.nanoseconds)) {
        promise.succeed()
    }
    try await withTaskCancellationHandler {
        try await promise.futureResult.get()
    } onCancel: {
        scheduled.cancel()
        promise.fail(CancellationError())
    }
}
