import SystemPackage

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
