import Logging
import ServiceLifecycle

@testable import OrdersCore

/// Runs `store`'s own services (connection pool, migrations, closing its files) around `body`: the store
/// is ready, or 20 s have passed, before `body` starts, and its services have stopped when this returns.
func withStoreServices<Value: Sendable>(
    of store: any OrderStore,
    logger: Logger,
    _ body: @escaping @Sendable () async throws -> Value
) async throws -> Value {
    let services = ServiceGroup(configuration: .init(services: store.services, logger: logger))
    return try await withThrowingTaskGroup(of: Value?.self) { group in
        group.addTask {
            try await services.run()
            return nil
        }
        do {
            await store.waitUntilReady(timeout: .seconds(20))
            let value = try await body()
            await services.triggerGracefulShutdown()
            try await group.waitForAll()
            return value
        } catch {
            await services.triggerGracefulShutdown()
            throw error
        }
    }
}
