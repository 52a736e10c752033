import SystemPackage

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes one line to standard error, unbuffered, in one `write(2)`; a line that cannot be written is
/// dropped.
func printError(_ line: String) {
    _ = try? FileDescriptor.standardError.writeAll((line + "\n").utf8)
}

/// Writes `text` to standard output, unbuffered; the command-line modes' results (a new key, a listing)
/// go there so that scripts can capture them apart from the messages on standard error.
func printOutput(_ text: String) {
    _ = try? FileDescriptor.standardOutput.writeAll(text.utf8)
}

/// Whether standard output is a terminal: a person reads it, rather than a file, a pipe or a container's
/// log driver, which would keep what is written.
var standardOutputIsTerminal: Bool {
    isatty(STDOUT_FILENO) == 1
}
