import ArgumentParser
import Logging
import Metrics
import OTel
import OrdersCore
import OrdersService
import Prometheus
import ServiceLifecycle

/// Runs the HTTP service until SIGTERM or SIGINT.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the orders API (the default). Every setting comes from the environment; see the README."
    )

    func run() async throws {
        let configuration = try ProcessEnvironment.serviceConfiguration()
        let sink = StandardOutputLogSink()
        let makeHandler: @Sendable (String) -> StructuredLogHandler = { label in
            StructuredLogHandler(
                label: label,
                format: configuration.logFormat,
                level: configuration.logLevel,
                sink: sink
            )
        }
        // With tracing on, every line written inside a request carries its `trace_id` and `span_id`.
        let traceMetadata = configuration.tracing.isEnabled ? OTel.makeLoggingMetadataProvider() : nil
        LoggingSystem.bootstrap(
            { label, provider in
                var handler = makeHandler(label)
                handler.metadataProvider = provider
                return handler
            },
            metadataProvider: traceMetadata
        )
        let logger = Logger(label: "orders-service")
        let registry = PrometheusCollectorRegistry()
        // Dependencies that report through swift-metrics land in the same exposition as the service's own.
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        let telemetry: [any Service]
        do {
            telemetry = try TraceExporter.bootstrap(configuration.tracing, registry: registry, makeHandler: makeHandler)
        } catch {
            printError("orders-service: cannot start the trace exporter: \(error)")
            throw ExitCode(2)
        }

        let service: OrdersServiceApplication
        do {
            service = try await buildApplication(configuration: configuration, logger: logger, registry: registry)
        } catch let error as ConfigurationError {
            printError("orders-service: \(error)")
            throw ExitCode(2)
        } catch {
            printError("orders-service: cannot start: \(StartupError.describe(error, configuration: configuration))")
            throw ExitCode(1)
        }
        let outcome: ServiceRunner.Outcome
        do {
            outcome = try await ServiceRunner.run(service, telemetry: telemetry)
        } catch {
            printError("orders-service: stopped with an error: \(error)")
            throw ExitCode(1)
        }
        if outcome == .boundExceeded { throw ExitCode(1) }
    }
}
