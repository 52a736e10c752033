#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Unbuffered writes to a standard stream: log lines and the command-line modes' output. Each call is
/// one `write(2)` (repeated only if the kernel takes part of it), retried on EINTR.
struct FileStream {
    let descriptor: Int32

    static let standardOutput = FileStream(descriptor: 1)
    static let standardError = FileStream(descriptor: 2)

    func write(_ string: String) {
        var bytes = Array(string.utf8)[...]
        while !bytes.isEmpty {
            let written = bytes.withUnsafeBytes { buffer in
                systemWrite(descriptor, buffer.baseAddress, buffer.count)
            }
            if written > 0 {
                bytes = bytes.dropFirst(written)
            } else if written < 0 && errno == EINTR {
                continue
            } else {
                return
            }
        }
    }
}

#if canImport(Darwin)
private let systemWrite = Darwin.write
#elseif canImport(Musl)
private let systemWrite = Musl.write
#else
private let systemWrite = Glibc.write
#endif
