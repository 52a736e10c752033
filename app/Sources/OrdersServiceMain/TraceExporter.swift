import Logging
import OTel
import OrdersService
import Prometheus
import ServiceLifecycle
import Tracing

/// Sets up distributed tracing for the `serve` command: swift-otel's tracer with its OTLP/HTTP exporter,
/// configured by the standard `OTEL_*` variables (``TracingSettings`` has checked them), installed as
/// the process's tracer.
enum TraceExporter {
    /// Installs the tracer when `settings` enable tracing and returns the exporter's service, which
    /// batches finished spans and sends them off the request path; no service when tracing is off.
    /// The exporter's own diagnostics are written by `makeHandler` and its lost spans counted in
    /// `registry` (``SpanLossLogHandler``).
    static func bootstrap(
        _ settings: TracingSettings,
        registry: PrometheusCollectorRegistry,
        makeHandler: @escaping @Sendable (String) -> any LogHandler
    ) throws -> [any Service] {
        guard settings.isEnabled else { return [] }
        let counters = SpanLossLogHandler.Counters(registry: registry)
        var configuration = OTel.Configuration.default
        configuration.serviceName = settings.serviceName
        configuration.traces.batchSpanProcessor.maxQueueSize = settings.maxQueueSize
        configuration.traces.batchSpanProcessor.scheduleDelay = settings.scheduleDelay
        configuration.traces.batchSpanProcessor.exportTimeout = settings.exportTimeout
        configuration.metrics.enabled = false
        configuration.logs.enabled = false
        configuration.traces.sampler = sampler(settings)
        configuration.diagnosticLogger = .custom(
            Logger(label: "otel") { label in SpanLossLogHandler(base: makeHandler(label), counters: counters) }
        )
        // The variables override these values, as the OpenTelemetry specification asks.
        let (tracer, service) = try OTel.makeTracingBackend(configuration: configuration)
        InstrumentationSystem.bootstrap(tracer)
        return [service]
    }

    /// swift-otel's form of the checked sampler setting.
    private static func sampler(
        _ settings: TracingSettings
    ) -> OTel.Configuration.TracesConfiguration.SamplerConfiguration {
        switch settings.sampler {
        case .alwaysOn: .alwaysOn
        case .alwaysOff: .alwaysOff
        case .traceIDRatio: .traceIDRatio(ratio: settings.ratio) ?? .alwaysOn
        case .parentBasedAlwaysOn: .parentBasedAlwaysOn
        case .parentBasedAlwaysOff: .parentBasedAlwaysOff
        case .parentBasedTraceIDRatio: .parentBasedTraceIDRatio(ratio: settings.ratio) ?? .parentBasedAlwaysOn
        }
    }
}
