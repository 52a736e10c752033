import Synchronization

/// A value that one middleware sets and another, earlier in the chain, reads after the response. Request
/// contexts are copied down the chain, so a plain stored property set further in is invisible outside.
final class SharedValue<Value: Sendable>: Sendable {
    private let storage = Mutex<Value?>(nil)

    /// An empty box.
    init() {}

    /// The value, once set.
    var value: Value? { storage.withLock { $0 } }

    /// Sets (or clears) the value.
    func set(_ value: Value?) {
        storage.withLock { $0 = value }
    }
}
