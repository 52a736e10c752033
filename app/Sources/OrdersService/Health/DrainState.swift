import Synchronization

/// Whether the process has been asked to stop. Set once by ``DrainService`` on SIGTERM or SIGINT and
/// read on every health probe, so it is a lock-free atomic.
final class DrainState: Sendable {
    private let draining = Atomic<Bool>(false)

    /// A state that is not draining.
    init() {}

    /// True from the first stop signal on.
    var isDraining: Bool { draining.load(ordering: .acquiring) }

    /// Starts the drain; later calls change nothing.
    func beginDraining() {
        draining.store(true, ordering: .releasing)
    }
}
