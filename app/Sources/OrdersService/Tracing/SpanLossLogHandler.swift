package import Logging
package import Prometheus

/// The log handler of the trace exporter's own diagnostics: writes every line through `base` and counts
/// the spans the exporter lost in `tracing_spans_dropped_total`.
///
/// swift-otel's batch processor keeps at most `OTEL_BSP_MAX_QUEUE_SIZE` finished spans (2,048 by default)
/// and drops the rest rather than hold a request or grow without bound; an export that fails (collector
/// down, timeout) discards its batch. It reports both only in its diagnostic log, with the count in the
/// line's metadata, so this handler reads them from there:
///
/// - `reason="queue_full"`: "Spans were dropped ... because queue was full", `dropped_count` spans;
/// - `reason="export_failed"`: "Failed to export batch.", `batch_size` spans.
///
/// The exporter-down test (`tests/service/test_tracing.py`) runs the real exporter against a closed port
/// and fails if the counter does not move, so a change of swift-otel's wording cannot pass unnoticed.
package struct SpanLossLogHandler: LogHandler {
    /// The counters, by reason.
    package struct Counters: Sendable {
        let queueFull: Counter
        let exportFailed: Counter

        /// Registers `tracing_spans_dropped_total{reason}` in `registry`.
        package init(registry: PrometheusCollectorRegistry) {
            let descriptor = MetricNameDescriptor.named(
                "tracing_spans_dropped_total",
                help: "Finished spans never exported: the exporter's queue was full, or their batch failed to export."
            )
            queueFull = registry.makeCounter(descriptor: descriptor, labels: [("reason", "queue_full")])
            exportFailed = registry.makeCounter(descriptor: descriptor, labels: [("reason", "export_failed")])
        }
    }

    /// swift-otel's message when the queue was full, and the metadata key of the count.
    static let queueFullMessage = "Spans were dropped this iteration because queue was full"
    static let queueFullCountKey = "dropped_count"
    /// swift-otel's message when a batch failed to export, and the metadata key of its size.
    static let exportFailedMessage = "Failed to export batch."
    static let exportFailedCountKey = "batch_size"

    private var base: any LogHandler
    private let counters: Counters
    /// The level below which lines are not written (`OTEL_LOG_LEVEL`); counting ignores it.
    private var writeLevel: Logger.Level

    /// Writes through `base` and counts into `counters`.
    package init(base: any LogHandler, counters: Counters) {
        self.base = base
        self.counters = counters
        self.writeLevel = base.logLevel
    }

    /// The wrapped handler's metadata.
    package var metadata: Logger.Metadata {
        get { base.metadata }
        set { base.metadata = newValue }
    }

    /// The level lines are written from. Warnings always reach ``log(event:)``, whatever the level, so
    /// that a quieter `OTEL_LOG_LEVEL` never hides a loss from the counter.
    package var logLevel: Logger.Level {
        get { min(writeLevel, .warning) }
        set { writeLevel = newValue }
    }

    /// Reads or writes one metadata value of the wrapped handler.
    package subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { base[metadataKey: key] }
        set { base[metadataKey: key] = newValue }
    }

    /// Counts lost spans, then writes the line when its level is high enough.
    package func log(event: LogEvent) {
        let message = event.message.description
        if message == Self.queueFullMessage {
            counters.queueFull.increment(by: count(Self.queueFullCountKey, in: event))
        } else if message == Self.exportFailedMessage {
            counters.exportFailed.increment(by: count(Self.exportFailedCountKey, in: event))
        }
        if event.level >= writeLevel { base.log(event: event) }
    }

    /// The integer under `key` in the event's or the logger's metadata; 0 when absent or not a number.
    private func count(_ key: String, in event: LogEvent) -> Int64 {
        let value = event.metadata?[key] ?? base.metadata[key]
        return value.flatMap { Int64($0.description) } ?? 0
    }
}
