package import Logging
package import OrdersCore

/// Everything the service reads from its environment, validated once at start-up.
///
/// The defaults are safe for production; `config/timings.json` at the repository root holds the same
/// timing values for the load balancer and the task definition, and a test keeps the two equal.
package struct ServiceConfiguration: Sendable {
    /// Address the HTTP server binds: `HTTP_HOST` (default 127.0.0.1; the container sets 0.0.0.0).
    var httpHost: String = "127.0.0.1"
    /// Port of the HTTP server: `HTTP_PORT` (default 8080).
    var httpPort: Int = 8080
    /// Port of `/metrics`: `METRICS_PORT` (default: the HTTP port). When it differs from the HTTP port,
    /// metrics are served only there, bound to `METRICS_HOST`.
    var metricsPort: Int = 8080
    /// Address of the separate metrics listener: `METRICS_HOST` (default 127.0.0.1, so only the task's
    /// own collector reaches it).
    var metricsHost: String = "127.0.0.1"
    /// Minimum level written to the log: `LOG_LEVEL` (default info).
    package var logLevel: Logger.Level = .info
    /// `json` (one object per line, the default) or `text`: `LOG_FORMAT`.
    package var logFormat: LogFormat = .json
    /// How long the server keeps serving after SIGTERM while the load balancer stops routing to it:
    /// `DRAIN_DELAY_SECONDS`.
    var drainDelay: Duration = .seconds(15)
    /// Bound on stopping after the drain: in-flight requests finish within it or are cut:
    /// `SHUTDOWN_TIMEOUT_SECONDS`.
    var shutdownTimeout: Duration = .seconds(15)
    /// How long an idle keep-alive connection stays open: `HTTP_IDLE_TIMEOUT_SECONDS`. Longer than the
    /// load balancer's idle timeout, so the balancer never reuses a connection the service just closed.
    var idleTimeout: Duration = .seconds(75)
    /// Longest time one request may take before it is answered 503: `REQUEST_TIMEOUT_SECONDS`.
    var requestTimeout: Duration = .seconds(10)
    /// Largest request body accepted: `MAX_BODY_BYTES` (default 64 KiB).
    var maxBodyBytes: Int = 64 * 1024
    /// Most client connections held at once: `HTTP_MAX_CONNECTIONS`; nil derives it from the process's
    /// memory and open-file limit (``ConnectionLimit``).
    var maxConnections: Int?
    /// The 256-bit key that seals page cursors: `CURSOR_KEY`, 64 hex digits; nil uses the key the service
    /// keeps in its store (``CursorKeyProvider``).
    var cursorKey: [UInt8]?
    /// Which order store to use and how to reach it.
    package var store: StoreConfiguration = .sqlite(path: StoreConfiguration.defaultSQLitePath)
    /// Distributed tracing: the `OTEL_*` variables (``TracingSettings``); off without an OTLP endpoint.
    package var tracing = TracingSettings()

    /// The defaults, as used by `make run`.
    init() {}

    /// Whether `/metrics` has its own listener rather than sharing the HTTP port.
    var servesMetricsSeparately: Bool { metricsPort != httpPort }
}

extension ServiceConfiguration {
    /// Reads and validates every setting; the first bad one throws a ``ConfigurationError``.
    package init(settings: SettingsReader) throws(ConfigurationError) {
        self.init()
        httpHost = try Self.host(settings, "HTTP_HOST", default: httpHost)
        httpPort = try settings.integer("HTTP_PORT", default: httpPort, in: 1...65535)
        metricsPort = try settings.integer("METRICS_PORT", default: httpPort, in: 1...65535)
        metricsHost = try Self.host(settings, "METRICS_HOST", default: metricsHost)
        logLevel = try settings.choice(
            "LOG_LEVEL",
            default: logLevel,
            choices: Logger.Level.allCases.map { ($0.rawValue, $0) }
        )
        logFormat = try settings.choice(
            "LOG_FORMAT",
            default: logFormat,
            choices: LogFormat.allCases.map { ($0.rawValue, $0) }
        )
        drainDelay = try settings.seconds("DRAIN_DELAY_SECONDS", default: drainDelay, in: 0...300)
        shutdownTimeout = try settings.seconds("SHUTDOWN_TIMEOUT_SECONDS", default: shutdownTimeout, in: 0.1...300)
        idleTimeout = try settings.seconds("HTTP_IDLE_TIMEOUT_SECONDS", default: idleTimeout, in: 1...4000)
        requestTimeout = try settings.seconds("REQUEST_TIMEOUT_SECONDS", default: requestTimeout, in: 0.05...300)
        maxBodyBytes = try settings.integer("MAX_BODY_BYTES", default: maxBodyBytes, in: 1024...(16 * 1024 * 1024))
        maxConnections = try settings.optionalInteger("HTTP_MAX_CONNECTIONS", in: 1...1_000_000)
        cursorKey = try Self.cursorKey(settings)
        store = try StoreConfiguration(settings: settings)
        tracing = try TracingSettings(settings: settings)
    }

    /// `CURSOR_KEY`: exactly 32 bytes as 64 hex digits (`openssl rand -hex 32` makes one), or nil.
    private static func cursorKey(_ settings: SettingsReader) throws(ConfigurationError) -> [UInt8]? {
        guard let raw = settings.string("CURSOR_KEY", isSecret: true) else { return nil }
        guard let key = Hex.decode(raw), key.count == 32 else {
            // The value is a secret: the error names the variable and the expected form, never the value.
            throw ConfigurationError(
                variable: "CURSOR_KEY",
                value: "(\(raw.utf8.count) characters, hidden)",
                expectation: "64 hex digits, a 256-bit key such as `openssl rand -hex 32` prints"
            )
        }
        return key
    }

    /// A host name or address: letters, digits, dots, hyphens and colons (IPv6), at most 253 characters.
    private static func host(
        _ settings: SettingsReader,
        _ variable: String,
        default defaultValue: String
    ) throws(ConfigurationError) -> String {
        try settings.text(variable, default: defaultValue, maximumLength: 253, expectation: "a host name or IP address")
        {
            $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "." || $0 == "-" || $0 == ":")
        }
    }
}
