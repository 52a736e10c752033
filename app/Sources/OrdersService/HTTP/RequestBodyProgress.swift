import Synchronization

/// Whether a request's body is still arriving, so that a request stopped by its time limit is answered
/// for the right party: 408 when the client had not finished sending its body (the client stalled),
/// 503 when it had (the service was too slow).
final class RequestBodyProgress: Sendable {
    private let receiving = Atomic<Bool>(false)

    /// A request whose body is not being read.
    init() {}

    /// True while the body is being read.
    var isReceiving: Bool { receiving.load(ordering: .acquiring) }

    /// Marks the start of reading the body.
    func started() {
        receiving.store(true, ordering: .releasing)
    }

    /// Marks the whole body as read.
    func finished() {
        receiving.store(false, ordering: .releasing)
    }
}
