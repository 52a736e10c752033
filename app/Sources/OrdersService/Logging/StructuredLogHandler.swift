package import Logging
import OrdersCore

/// A swift-log handler that writes one line per event in either format of ``LogFormat``.
///
/// JSON lines carry `timestamp` (ISO 8601, UTC, milliseconds), `level`, `message`, `logger`, and every
/// metadata key as a field, so CloudWatch Logs Insights can filter on `request_id`, `status` and so on.
/// Hummingbird's request id (``RequestIDMiddleware/loggerMetadataKey``) is written as `request_id`, the
/// field the dashboard and the operators' queries use.
package struct StructuredLogHandler: LogHandler {
    /// Metadata attached to every event of this handler.
    package var metadata: Logger.Metadata = [:]
    /// Metadata computed per event (for example from task locals).
    package var metadataProvider: Logger.MetadataProvider?
    /// Minimum level logged.
    package var logLevel: Logger.Level
    /// The field name of the request id in a line.
    static let requestIDField = "request_id"
    private let label: String
    private let format: LogFormat
    private let sink: any LogSink

    /// Creates a handler for the logger named `label`.
    package init(label: String, format: LogFormat, level: Logger.Level, sink: any LogSink) {
        self.label = label
        self.format = format
        self.logLevel = level
        self.sink = sink
    }

    /// Reads or writes one metadata value.
    package subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    /// Formats the event and hands the line to the sink.
    package func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { _, new in new } }
        if let extra = event.metadata { merged.merge(extra) { _, new in new } }
        if let requestID = merged.removeValue(forKey: RequestIDMiddleware.loggerMetadataKey) {
            merged[Self.requestIDField] = requestID
        }
        let timestamp = UTCTimestamp.now()
        switch format {
        case .json:
            sink.write(line: jsonLine(timestamp: timestamp, event: event, metadata: merged))
        case .text:
            sink.write(line: textLine(timestamp: timestamp, event: event, metadata: merged))
        }
    }

    private func jsonLine(timestamp: String, event: LogEvent, metadata: Logger.Metadata) -> String {
        var line = "{\"timestamp\":\"\(timestamp)\",\"level\":\"\(event.level.rawValue)\",\"message\":"
        JSONText.appendString(event.message.description, to: &line)
        line += ",\"logger\":"
        JSONText.appendString(label, to: &line)
        for key in metadata.keys.sorted() {
            line += ","
            JSONText.appendString(key, to: &line)
            line += ":"
            Self.appendJSON(metadata[key]!, to: &line)
        }
        line += "}"
        return line
    }

    private func textLine(timestamp: String, event: LogEvent, metadata: Logger.Metadata) -> String {
        var line =
            "\(timestamp) \(event.level.rawValue.uppercased()) \(JSONText.escapingControlCharacters(event.message.description))"
        for key in metadata.keys.sorted() {
            line += " \(key)=\(JSONText.escapingControlCharacters(metadata[key]!.description))"
        }
        return line
    }

    /// Strings stay strings; numbers logged as `.stringConvertible` become JSON numbers when they are one.
    private static func appendJSON(_ value: Logger.Metadata.Value, to line: inout String) {
        switch value {
        case .string(let string):
            JSONText.appendString(string, to: &line)
        case .stringConvertible(let convertible):
            let text = convertible.description
            if convertible is any BinaryInteger || convertible is Double {
                line += text
            } else {
                JSONText.appendString(text, to: &line)
            }
        case .array(let values):
            line += "["
            for (index, element) in values.enumerated() {
                if index > 0 { line += "," }
                appendJSON(element, to: &line)
            }
            line += "]"
        case .dictionary(let dictionary):
            line += "{"
            for (index, key) in dictionary.keys.sorted().enumerated() {
                if index > 0 { line += "," }
                JSONText.appendString(key, to: &line)
                line += ":"
                appendJSON(dictionary[key]!, to: &line)
            }
            line += "}"
        }
    }
}
