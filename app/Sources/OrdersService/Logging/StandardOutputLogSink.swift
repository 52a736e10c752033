import Synchronization
import SystemPackage

/// Writes each line to standard output with one `write(2)` (repeated only if the kernel takes part of
/// it, and retried on EINTR), under a lock so lines from concurrent requests never interleave, and
/// unbuffered so a crash loses nothing already logged.
package final class StandardOutputLogSink: LogSink {
    private let lock = Mutex(())

    /// Creates the sink.
    package init() {}

    /// Writes `line` and a newline to file descriptor 1. A line that cannot be written (standard output
    /// closed) is dropped: logging never stops the service.
    package func write(line: String) {
        lock.withLock { _ in _ = try? FileDescriptor.standardOutput.writeAll((line + "\n").utf8) }
    }
}
