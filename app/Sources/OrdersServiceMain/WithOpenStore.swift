import ArgumentParser
import Logging
import OrdersCore
import ServiceLifecycle

/// Opens the configured store (as ``ProcessEnvironment/keysConfiguration()`` logs in), runs its services
/// (pool, migrations) while `body` runs, then stops them.
func withOpenStore<Value: Sendable>(
    _ body: @escaping @Sendable (any OrderStore) async throws -> Value
) async throws -> Value {
    let configuration = try ProcessEnvironment.keysConfiguration()
    var logger = Logger(label: "orders-service.keys")
    logger.logLevel = .error
    let store: any OrderStore
    do {
        store = try await configuration.store.openStore(logger: logger)
    } catch {
        printError(
            "orders-service: cannot open the store: \(StartupError.describe(error, configuration: configuration))"
        )
        throw ExitCode(1)
    }
    let group = ServiceGroup(configuration: .init(services: store.services, logger: logger))
    return try await withThrowingTaskGroup(of: Value?.self) { tasks in
        tasks.addTask {
            try await group.run()
            return nil
        }
        defer { tasks.cancelAll() }
        // Three connection attempts' worth: long enough for a database that is starting, short enough
        // that a wrong address or certificate fails the command quickly.
        let connectTimeout = configuration.store.postgresSettings?.connectTimeout ?? .seconds(1)
        await store.waitUntilReady(timeout: max(.seconds(3), connectTimeout * 3))
        guard await store.readiness().isReady else {
            printError("orders-service: the store is not reachable")
            throw ExitCode(1)
        }
        let value = try await body(store)
        await group.triggerGracefulShutdown()
        return value
    }
}
