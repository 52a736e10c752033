import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

#if canImport(Darwin)
private let systemWrite = Darwin.write
#elseif canImport(Musl)
private let systemWrite = Musl.write
#else
private let systemWrite = Glibc.write
#endif

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
        var bytes = Array(line.utf8)
        bytes.append(0x0A)
        lock.withLock { _ in
            var offset = 0
            while offset < bytes.count {
                let written = bytes.withUnsafeBytes { buffer in
                    systemWrite(1, buffer.baseAddress! + offset, buffer.count - offset)
                }
                if written > 0 {
                    offset += written
                } else if written < 0 && errno == EINTR {
                    continue
                } else {
                    return
                }
            }
        }
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
