import Logging
import SQLiteNIO
import ServiceLifecycle

/// Holds the SQLite connections open while the service runs and closes them on shutdown. It is added
/// before the HTTP server, so the group stops it after the server has finished its last request.
struct SQLiteConnectionCloser: Service {
    let connections: [SQLiteConnection]
    let logger: Logger

    func run() async throws {
        try? await gracefulShutdown()
        // Closing must happen even when the group is being cancelled (a failed start), so it runs in a
        // task that does not inherit the cancellation.
        let connections = self.connections
        let logger = self.logger
        await Task.detached {
            for connection in connections where !connection.isClosed {
                do {
                    try await connection.close()
                } catch {
                    logger.warning("could not close an SQLite connection", metadata: ["error": .string("\(error)")])
                }
            }
        }.value
    }
}
