/// The two log line formats.
package enum LogFormat: String, Sendable, CaseIterable {
    /// One JSON object per line, for CloudWatch Logs Insights.
    case json
    /// Readable lines for a terminal.
    case text
}
