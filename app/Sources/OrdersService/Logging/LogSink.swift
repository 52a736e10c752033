import Synchronization

/// Where finished log lines go. Production writes to standard output; tests collect lines to inspect them.
public protocol LogSink: Sendable {
    /// Writes one complete line; `line` has no trailing newline.
    func write(line: String)
}

/// Writes each line to standard output with one `write(2)`, under a lock so lines from concurrent
/// requests never interleave, and unbuffered so a crash loses nothing already logged.
public final class StandardOutputLogSink: LogSink {
    private let lock = Mutex(())

    /// Creates the sink.
    public init() {}

    /// Writes `line` and a newline to file descriptor 1.
    public func write(line: String) {
        lock.withLock { _ in FileStream.standardOutput.write(line + "\n") }
    }
}

/// Keeps lines in memory, for tests that assert what was (or was not) logged.
public final class InMemoryLogSink: LogSink {
    private let storage = Mutex<[String]>([])

    /// Creates an empty sink.
    public init() {}

    /// Appends `line`.
    public func write(line: String) {
        storage.withLock { $0.append(line) }
    }

    /// Every line written so far.
    public var lines: [String] { storage.withLock { $0 } }
}
