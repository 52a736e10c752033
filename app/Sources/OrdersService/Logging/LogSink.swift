/// Where finished log lines go. Production writes to standard output; tests collect lines to inspect them.
package protocol LogSink: Sendable {
    /// Writes one complete line; `line` has no trailing newline.
    func write(line: String)
}
