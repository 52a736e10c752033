import Synchronization

/// A value that one middleware sets and another, earlier in the chain, reads after the response. Request
/// contexts are copied down the chain, so a plain stored property set further in is invisible outside.
public final class SharedValue<Value: Sendable>: Sendable {
    private let storage = Mutex<Value?>(nil)

    /// An empty box.
    public init() {}

    /// The value, once set.
    public var value: Value? { storage.withLock { $0 } }

    /// Sets (or clears) the value.
    public func set(_ value: Value?) {
        storage.withLock { $0 = value }
    }
}
