import Logging
import Prometheus
import Testing

@testable import OrdersService

@Suite("Lost spans: counted from the exporter's diagnostics, whatever its log level")
struct SpanLossLogHandlerTests {
    private static func exposition(_ registry: PrometheusCollectorRegistry) -> String {
        String(decoding: registry.emitToBuffer(), as: UTF8.self)
    }

    @Test("queue-full and export-failed lines add their counts; other lines count nothing")
    func countsBothReasons() {
        let registry = PrometheusCollectorRegistry()
        let sink = InMemoryLogSink()
        let base = StructuredLogHandler(label: "otel", format: .json, level: .info, sink: sink)
        var logger = Logger(label: "otel") { _ in
            SpanLossLogHandler(base: base, counters: .init(registry: registry))
        }
        logger.warning("Spans were dropped this iteration because queue was full", metadata: ["dropped_count": "7"])
        logger[metadataKey: "batch_size"] = "12"
        logger.warning("Failed to export batch.")
        logger.warning("Failed to export batch.")
        logger.info("Exported batch.")
        let text = Self.exposition(registry)
        #expect(MetricsTests.value(of: "tracing_spans_dropped_total{reason=\"queue_full\"}", in: text) == 7)
        #expect(MetricsTests.value(of: "tracing_spans_dropped_total{reason=\"export_failed\"}", in: text) == 24)
        #expect(sink.lines.count == 4)
    }

    @Test("a quiet OTEL_LOG_LEVEL hides the lines but not the losses")
    func countsBelowTheWriteLevel() {
        let registry = PrometheusCollectorRegistry()
        let sink = InMemoryLogSink()
        let base = StructuredLogHandler(label: "otel", format: .json, level: .info, sink: sink)
        var logger = Logger(label: "otel") { _ in
            SpanLossLogHandler(base: base, counters: .init(registry: registry))
        }
        logger.logLevel = .error
        logger.warning("Spans were dropped this iteration because queue was full", metadata: ["dropped_count": "3"])
        logger.debug("Consumed span from stream.")
        let text = Self.exposition(registry)
        #expect(MetricsTests.value(of: "tracing_spans_dropped_total{reason=\"queue_full\"}", in: text) == 3)
        #expect(sink.lines.isEmpty)
    }
}
