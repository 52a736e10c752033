package import OrdersCore

/// The tracing settings: the standard OpenTelemetry environment variables, checked at start-up.
///
/// swift-otel reads the same variables itself when the tracer is built, but it stops the process
/// (`fatalError`) on values it does not implement (`OTEL_PROPAGATORS=xray`, a gRPC protocol in a build
/// without gRPC, the Jaeger or X-Ray samplers) and ignores malformed ones. Every value is therefore
/// checked here first, so a bad one ends the start with one line that names the variable, like every
/// other setting.
///
/// Tracing is off unless an OTLP endpoint is set (`OTEL_EXPORTER_OTLP_ENDPOINT` or
/// `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`), so `make run` needs no collector; `OTEL_SDK_DISABLED=true` or
/// `OTEL_TRACES_EXPORTER=none` switch it off even then.
package struct TracingSettings: Sendable, Equatable {
    /// How the service decides which traces to keep (`OTEL_TRACES_SAMPLER`).
    package enum Sampler: String, Sendable, CaseIterable {
        /// Every trace.
        case alwaysOn = "always_on"
        /// No trace.
        case alwaysOff = "always_off"
        /// A share of traces, by trace id, whatever the caller decided.
        case traceIDRatio = "traceidratio"
        /// The caller's decision when there is one, else every trace.
        case parentBasedAlwaysOn = "parentbased_always_on"
        /// The caller's decision when there is one, else none.
        case parentBasedAlwaysOff = "parentbased_always_off"
        /// The caller's decision when there is one, else a share by trace id: the production default.
        case parentBasedTraceIDRatio = "parentbased_traceidratio"
    }

    /// The default sampler: follow the caller, else keep a share of new traces.
    package static let defaultSampler = Sampler.parentBasedTraceIDRatio
    /// The share of new traces kept by default: 5 %, the rate X-Ray's own default rule keeps beyond its
    /// first request each second.
    package static let defaultRatio = 0.05
    /// The wire formats of the OTLP exporter built into the binary (HTTP only: no gRPC).
    static let protocols = ["http/protobuf", "http/json"]

    /// Whether spans are recorded and exported.
    package var isEnabled = false
    /// The sampler.
    package var sampler = defaultSampler
    /// The sampler's ratio, 0 to 1 (`OTEL_TRACES_SAMPLER_ARG`); used by the ratio samplers.
    package var ratio = defaultRatio
    /// The service name spans carry (`OTEL_SERVICE_NAME`): X-Ray's segment name for the service.
    package var serviceName = "orders-service"
    /// Most finished spans waiting for export (`OTEL_BSP_MAX_QUEUE_SIZE`); more are dropped and counted.
    package var maxQueueSize = 2048
    /// How often the waiting spans are sent (`OTEL_BSP_SCHEDULE_DELAY`, milliseconds).
    package var scheduleDelay: Duration = .seconds(5)
    /// Longest one export may take before its batch is given up (`OTEL_BSP_EXPORT_TIMEOUT`, milliseconds).
    package var exportTimeout: Duration = .seconds(30)

    /// Tracing off: the settings of a process with no OTLP endpoint.
    package init() {}

    /// The share of traces with no sampled caller that this sampler keeps: what a trace started at the
    /// load balancer (whose header carries no decision) is given.
    package var newTraceRatio: Double {
        switch sampler {
        case .alwaysOn, .parentBasedAlwaysOn: 1
        case .alwaysOff, .parentBasedAlwaysOff: 0
        case .traceIDRatio, .parentBasedTraceIDRatio: ratio
        }
    }
}

extension TracingSettings {
    /// Reads and checks the `OTEL_*` variables the service supports; the first bad one throws.
    package init(settings: SettingsReader) throws(ConfigurationError) {
        self.init()
        let disabled = try settings.choice(
            "OTEL_SDK_DISABLED",
            default: false,
            choices: [("true", true), ("false", false)]
        )
        let exporter = try settings.choice(
            "OTEL_TRACES_EXPORTER",
            default: "otlp",
            choices: [("otlp", "otlp"), ("none", "none")]
        )
        let protocols = Self.protocols.map { ($0, $0) }
        _ = try settings.choice("OTEL_EXPORTER_OTLP_PROTOCOL", default: "", choices: protocols)
        _ = try settings.choice("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", default: "", choices: protocols)
        _ = try settings.choice("OTEL_PROPAGATORS", default: "", choices: [("tracecontext", "tracecontext")])
        let endpoint = try Self.endpoint(settings, "OTEL_EXPORTER_OTLP_ENDPOINT")
        let tracesEndpoint = try Self.endpoint(settings, "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
        serviceName = try Self.serviceName(settings, "OTEL_SERVICE_NAME", default: serviceName)
        maxQueueSize = try settings.integer("OTEL_BSP_MAX_QUEUE_SIZE", default: maxQueueSize, in: 1...1_000_000)
        scheduleDelay = try settings.milliseconds("OTEL_BSP_SCHEDULE_DELAY", default: scheduleDelay, in: 1...3_600_000)
        exportTimeout = try settings.milliseconds("OTEL_BSP_EXPORT_TIMEOUT", default: exportTimeout, in: 1...3_600_000)
        sampler = try settings.choice(
            "OTEL_TRACES_SAMPLER",
            default: Self.defaultSampler,
            choices: Sampler.allCases.map { ($0.rawValue, $0) }
        )
        if let raw = settings.string("OTEL_TRACES_SAMPLER_ARG") {
            guard let value = Double(raw), value >= 0, value <= 1 else {
                throw ConfigurationError(
                    variable: "OTEL_TRACES_SAMPLER_ARG",
                    value: raw,
                    expectation: "a ratio from 0 to 1, such as 0.05"
                )
            }
            ratio = value
        }
        isEnabled = (endpoint ?? tracesEndpoint) != nil && !disabled && exporter == "otlp"
    }

    /// An absolute http(s) URL with a host and nothing a log line could be forged with, or nil when unset.
    private static func endpoint(_ settings: SettingsReader, _ variable: String) throws(ConfigurationError) -> String? {
        guard let value = settings.string(variable) else { return nil }
        let lowercased = value.lowercased()
        let scheme = ["http://", "https://"].first { lowercased.hasPrefix($0) }
        let rest = value.dropFirst(scheme?.count ?? 0)
        guard scheme != nil, !rest.isEmpty, rest.first != "/", value.utf8.count <= 2048,
            value.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F })
        else {
            throw ConfigurationError(
                variable: variable,
                value: value,
                expectation: "an http:// or https:// URL such as http://127.0.0.1:4318"
            )
        }
        return value
    }

    /// A name X-Ray accepts for a segment, which the service name becomes: 1 to 200 characters, letters,
    /// digits, spaces and `_ . : / % & # = + \ - @` (X-Ray's segment document rules).
    private static func serviceName(
        _ settings: SettingsReader,
        _ variable: String,
        default defaultValue: String
    ) throws(ConfigurationError) -> String {
        let symbols = Set("_.:/%&#=+\\-@ ")
        return try settings.text(
            variable,
            default: defaultValue,
            maximumLength: 200,
            expectation: "1 to 200 letters, digits, spaces or _ . : / % & # = + \\ - @ (an X-Ray segment name)"
        ) { $0.isLetter || $0.isNumber || symbols.contains($0) }
    }
}
