import Logging
import OrdersCore
import ServiceLifecycle

/// The first service to be told to shut down: it turns `/health` and `/health/ready` to 503 at once,
/// then keeps the server serving for the drain delay so the load balancer can stop routing to this
/// instance before it stops accepting connections.
///
/// It must be the last service in the group, because a service group shuts its services down in reverse
/// order and waits for each before telling the next.
struct DrainService: Service {
    private let state: DrainState
    private let delay: Duration
    private let logger: Logger

    /// Creates the service for `state`, holding the server open for `delay` after the stop signal.
    init(state: DrainState, delay: Duration, logger: Logger) {
        self.state = state
        self.delay = delay
        self.logger = logger
    }

    /// Waits for graceful shutdown, then drains.
    func run() async throws {
        do {
            try await gracefulShutdown()
        } catch is CancellationError {
            return
        }
        state.beginDraining()
        logger.info(
            "draining: health checks now answer 503; still serving for the drain delay",
            metadata: ["drain_delay_ms": .stringConvertible(delay.milliseconds)]
        )
        try? await Task.sleep(for: delay)
        logger.info("drain delay over: closing the listener and finishing in-flight requests")
    }
}
