import Logging
import SQLiteNIO
import ServiceLifecycle

/// Holds the SQLite connections open while the service runs and closes them on shutdown. It is added
/// before the HTTP server, so the group stops it after the server has finished its last request.
struct SQLiteConnectionCloser: Service {
    let writer: SQLiteConnection
    let readers: [SQLiteReadConnection]
    let logger: Logger

    func run() async throws {
        try? await gracefulShutdown()
        for reader in readers { reader.close() }
        // Closing must happen even when the group is being cancelled (a failed start), so it runs in a
        // task that does not inherit the cancellation.
        let writer = self.writer
        let logger = self.logger
        await Task.detached {
            guard !writer.isClosed else { return }
            do {
                try await writer.close()
            } catch {
                logger.warning("could not close an SQLite connection", metadata: ["error": .string("\(error)")])
            }
        }.value
    }
}
