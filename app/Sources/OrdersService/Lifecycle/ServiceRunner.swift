import Logging
import OrdersCore
package import ServiceLifecycle
import Synchronization
package import UnixSignals

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs the assembled service until it is told to stop, and stops it the way a rolling deploy needs:
///
/// 1. The first SIGTERM or SIGINT starts a graceful shutdown. ``DrainService``, last in the group, is
///    told first: health turns 503 and the server keeps serving for the drain delay.
/// 2. Then the HTTP server stops accepting, lets in-flight requests finish and closes; then the metrics
///    listener and the store's pool.
/// 3. All of it is bounded by drain delay + shutdown bound; past it the group is cancelled and the run
///    ends with an error.
/// 4. A second signal ends the process at once, with 128 + the signal's number, as shells expect.
package enum ServiceRunner {
    /// How the run ended when it did not throw.
    package enum Outcome: Sendable, Equatable {
        /// Every service stopped within the bound.
        case stoppedCleanly
        /// The bound ran out and the remaining work was cancelled.
        case boundExceeded
    }

    /// Runs `service`; `signals` are the stop signals (SIGTERM and SIGINT in production). `telemetry`
    /// (the trace exporter) starts first and stops last, so the spans of the last requests are sent.
    package static func run(
        _ service: OrdersServiceApplication,
        telemetry: [any Service] = [],
        signals: [UnixSignal] = [.sigterm, .sigint]
    ) async throws
        -> Outcome
    {
        let logger = service.logger
        let configuration = service.configuration
        // Trap the signals before anything listens, so a stop that comes early is never the default action.
        let stopSignals = await UnixSignalsSequence(trapping: signals)

        // A group stops its services in reverse order: the first listed stops last.
        var services: [any Service] = telemetry
        if let metrics = service.metricsApplication { services.append(metrics) }
        services.append(service.application)
        services.append(DrainService(state: service.drainState, delay: configuration.drainDelay, logger: logger))
        let bound = configuration.drainDelay + configuration.shutdownTimeout
        var groupConfiguration = ServiceGroupConfiguration(services: services, logger: logger)
        groupConfiguration.maximumGracefulShutdownDuration = bound
        groupConfiguration.maximumCancellationDuration = .seconds(2)
        let group = ServiceGroup(configuration: groupConfiguration)
        let stopRequested = StopClock()

        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            tasks.addTask {
                var received = 0
                for await signal in stopSignals {
                    received += 1
                    if received == 1 {
                        stopRequested.mark()
                        logger.info(
                            "stop signal received: draining, then shutting down",
                            metadata: [
                                "signal": .string(signal.description),
                                "bound_ms": .stringConvertible(bound.milliseconds),
                            ]
                        )
                        await group.triggerGracefulShutdown()
                    } else {
                        logger.warning(
                            "second stop signal: exiting now",
                            metadata: ["signal": .string(signal.description)]
                        )
                        exit(128 + signal.rawValue)
                    }
                }
            }
            _ = try await tasks.next()
            tasks.cancelAll()
        }
        if let elapsed = stopRequested.elapsed, elapsed >= bound {
            logger.error(
                "shutdown bound exceeded: in-flight work was cancelled",
                metadata: ["bound_ms": .stringConvertible(bound.milliseconds)]
            )
            return .boundExceeded
        }
        logger.info("stopped cleanly")
        return .stoppedCleanly
    }
}

/// When the first stop signal arrived, shared between the signal task and the caller.
private final class StopClock: Sendable {
    private let start = Mutex<ContinuousClock.Instant?>(nil)

    func mark() {
        start.withLock { $0 = $0 ?? .now }
    }

    var elapsed: Duration? {
        start.withLock { $0.map { .now - $0 } }
    }
}
