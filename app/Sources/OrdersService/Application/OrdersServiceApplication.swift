public import Hummingbird
public import Logging
import Metrics
public import Prometheus
import ServiceLifecycle

/// The assembled service: the HTTP application, the optional metrics listener, and the state they share.
/// ``ServiceRunner`` runs it; tests call ``application`` directly.
public struct OrdersServiceApplication: Sendable {
    /// The HTTP application, with the store's services attached.
    public let application: Application<RouterResponder<OrdersRequestContext>>
    /// The `/metrics` listener when `METRICS_PORT` differs from `HTTP_PORT`.
    public let metricsApplication: Application<RouterResponder<BasicRequestContext>>?
    /// Flipped on the first stop signal.
    public let drainState: DrainState
    /// Where orders and keys live.
    public let store: any OrderStore
    /// The settings it was built from.
    public let configuration: ServiceConfiguration
    /// The process logger.
    public let logger: Logger
    /// Every metric of the process.
    public let registry: PrometheusCollectorRegistry
}

/// Builds the service from validated settings: opens (SQLite) or prepares (PostgreSQL) the store and
/// assembles routes, middleware and listeners. Nothing listens until the result is run.
public func buildApplication(
    configuration: ServiceConfiguration,
    logger: Logger,
    registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()
) async throws -> OrdersServiceApplication {
    try await buildApplication(
        configuration: configuration,
        logger: logger,
        registry: registry,
        store: nil,
        testRoutes: nil
    )
}

/// The same, with hooks for tests: a store built by the test, and extra routes (such as a slow route
/// for drain tests) that the shipped binary never has.
package func buildApplication(
    configuration: ServiceConfiguration,
    logger: Logger,
    registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry(),
    store givenStore: (any OrderStore)?,
    apiKeyCacheLifetime: Duration = .seconds(5),
    runsStoreServices: Bool = true,
    testRoutes: (@Sendable (Router<OrdersRequestContext>) -> Void)?
) async throws -> OrdersServiceApplication {
    let store: any OrderStore
    if let givenStore {
        store = givenStore
    } else {
        store = try await makeStore(configuration.store, logger: logger)
    }
    let requestMetrics = RequestMetrics(registry: registry)
    let metricsEndpoint = MetricsEndpoint(registry: registry, processMetrics: ProcessMetrics(registry: registry))
    let drainState = DrainState()

    let router = Router(context: OrdersRequestContext.self)
    router.add(middleware: RequestIDMiddleware())
    router.add(middleware: ObservabilityMiddleware(metrics: requestMetrics))
    router.add(middleware: ProblemMiddleware())
    let routeTable = SharedValue<RouteTable>()
    router.add(middleware: MethodNotAllowedMiddleware(routes: routeTable))

    HealthRoutes(drain: drainState, store: store).addRoutes(to: router)
    OpenAPIDocument.addRoute(to: router)
    if !configuration.servesMetricsSeparately {
        metricsEndpoint.addRoutes(to: router)
    }
    let authenticator = APIKeyAuthenticator(store: store, cacheLifetime: apiKeyCacheLifetime)
    let orders = router.group("orders").add(middleware: authenticator)
    OrdersRoutes(store: store, maxBodyBytes: configuration.maxBodyBytes, timeLimit: configuration.requestTimeout)
        .addRoutes(to: orders)
    testRoutes?(router)
    routeTable.set(RouteTable(router: router))

    var application = Application(
        router: router,
        server: .http1(
            configuration: .init(
                idleTimeout: .nanoseconds(configuration.idleTimeout.nanoseconds),
                httpDecoderConfiguration: .init(
                    maxHeaderFieldSize: 16 * 1024,
                    maxHeaderListSize: 32 * 1024,
                    maxHeaderFieldCount: 100
                )
            )
        ),
        configuration: .init(address: .hostname(configuration.httpHost, port: configuration.httpPort), serverName: nil),
        logger: logger
    )
    if runsStoreServices {
        application.addServices(store.services)
    }
    // A normal start migrates in milliseconds; waiting for it here means the first requests never see a
    // 503. A start while the database is down goes on after the bound and becomes ready by itself.
    application.beforeServerStarts {
        await store.waitUntilReady(timeout: .seconds(2))
    }

    var metricsApplication: Application<RouterResponder<BasicRequestContext>>?
    if configuration.servesMetricsSeparately {
        let metricsRouter = Router(context: BasicRequestContext.self)
        metricsEndpoint.addRoutes(to: metricsRouter)
        metricsApplication = Application(
            router: metricsRouter,
            configuration: .init(
                address: .hostname(configuration.metricsHost, port: configuration.metricsPort),
                serverName: nil
            ),
            logger: logger
        )
    }
    return OrdersServiceApplication(
        application: application,
        metricsApplication: metricsApplication,
        drainState: drainState,
        store: store,
        configuration: configuration,
        logger: logger,
        registry: registry
    )
}

/// Opens the store the settings name.
func makeStore(_ configuration: StoreConfiguration, logger: Logger) async throws -> any OrderStore {
    switch configuration {
    case .sqlite(let path):
        return try await SQLiteOrderStore.open(path: path, logger: logger)
    case .postgres(let settings):
        return try PostgresOrderStore(settings: settings, logger: logger)
    }
}

extension Duration {
    /// The duration in whole nanoseconds (saturating), for NIO's `TimeAmount`.
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        let (product, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        return overflow ? Int64.max : product + attoseconds / 1_000_000_000
    }
}
