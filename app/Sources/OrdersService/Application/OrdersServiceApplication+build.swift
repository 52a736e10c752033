import Hummingbird
package import Logging
import OrdersCore
package import Prometheus

/// Builds the service from validated settings: opens (SQLite) or prepares (PostgreSQL) the store and
/// assembles routes, middleware and listeners. Nothing listens until the result is run.
package func buildApplication(
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
func buildApplication(
    configuration: ServiceConfiguration,
    logger: Logger,
    registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry(),
    store givenStore: (any OrderStore)?,
    apiKeyCacheLifetime: Duration = .seconds(5),
    runsStoreServices: Bool = true,
    testRoutes: (@Sendable (Router<OrdersRequestContext>) -> Void)?
) async throws -> OrdersServiceApplication {
    let openedStore: any OrderStore
    if let givenStore {
        openedStore = givenStore
    } else {
        logger.info("order store", metadata: configuration.store.logMetadata)
        openedStore = try await configuration.store.openStore(logger: logger)
    }
    let tracing = configuration.tracing
    let store: any OrderStore =
        tracing.isEnabled ? TracedOrderStore(wrapping: openedStore, configuration: configuration.store) : openedStore
    let requestMetrics = RequestMetrics(registry: registry)
    let metricsEndpoint = MetricsEndpoint(registry: registry, processMetrics: ProcessMetrics(registry: registry))
    let drainState = DrainState()

    // Every GET route answers HEAD too (RFC 9110, section 9.3.2): the GET's headers, no body.
    let router = Router(context: OrdersRequestContext.self, options: .autoGenerateHeadEndpoints)
    if tracing.isEnabled {
        // First, so that every later middleware, the request's log lines and its problem body see the span.
        router.add(middleware: RequestTracingMiddleware(newTraceRatio: tracing.newTraceRatio))
    }
    router.add(middleware: RequestIDMiddleware())
    router.add(middleware: ObservabilityMiddleware(metrics: requestMetrics))
    router.add(middleware: ProblemMiddleware())
    router.add(middleware: UnimplementedMethodMiddleware())
    let routeTable = SharedValue<RouteTable>()
    router.add(middleware: MethodNotAllowedMiddleware(routes: routeTable))

    HealthRoutes(drain: drainState, store: store).addRoutes(to: router)
    OpenAPIDocument.addRoute(to: router)
    if !configuration.servesMetricsSeparately {
        metricsEndpoint.addRoutes(to: router)
    }
    let authenticator = APIKeyAuthenticator(
        store: store,
        timeLimit: configuration.requestTimeout,
        cacheLifetime: apiKeyCacheLifetime
    )
    // The orders routes run with a context that exists only for a verified caller.
    let orders = router.group("orders").add(middleware: authenticator)
        .group(context: AuthenticatedRequestContext.self)
    OrdersRoutes(
        store: store,
        maxBodyBytes: configuration.maxBodyBytes,
        timeLimit: configuration.requestTimeout,
        cursors: CursorKeyProvider(configuredKey: configuration.cursorKey, store: store)
    )
    .addRoutes(to: orders)
    testRoutes?(router)
    routeTable.set(RouteTable(router: router))

    let connectionLimit =
        configuration.maxConnections ?? ConnectionLimit.forThisProcess(maxBodyBytes: configuration.maxBodyBytes)
    logger.info(
        "connection limit",
        metadata: [
            "max_connections": .stringConvertible(connectionLimit),
            "source": .string(configuration.maxConnections == nil ? "derived" : "HTTP_MAX_CONNECTIONS"),
        ]
    )
    var application = Application(
        router: router,
        server: .orders(
            OrdersHTTPChannel.Settings(
                idleTimeout: configuration.idleTimeout,
                registry: ConnectionRegistry(
                    limit: connectionLimit,
                    metrics: ConnectionMetrics(registry: registry, limit: connectionLimit)
                ),
                answered: { [log = ProtocolErrorLog(metrics: requestMetrics, logger: logger)] answer, requestID in
                    log.record(answer, requestID: requestID)
                }
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
