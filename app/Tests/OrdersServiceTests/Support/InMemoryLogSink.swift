import Synchronization

@testable import OrdersService

/// Keeps log lines in memory, for tests that assert what was (or was not) logged.
final class InMemoryLogSink: LogSink {
    private let storage = Mutex<[String]>([])

    /// Appends `line`.
    func write(line: String) {
        storage.withLock { $0.append(line) }
    }

    /// Every line written so far.
    var lines: [String] { storage.withLock { $0 } }
}
