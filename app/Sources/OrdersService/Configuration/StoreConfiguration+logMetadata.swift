package import Logging
package import OrdersCore

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension StoreConfiguration {
    /// Which store, and where: the SQLite file's absolute path, or PostgreSQL's host, port, database, user
    /// and TLS mode. Never a password: the start-up log line says which data the process serves.
    package var logMetadata: Logger.Metadata {
        switch self {
        case .sqlite(let path):
            let absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
            return ["store": "sqlite", "path": .string(absolute)]
        case .postgres(let settings):
            return [
                "store": "postgres", "host": .string(settings.host), "port": .stringConvertible(settings.port),
                "database": .string(settings.database), "user": .string(settings.user),
                "tls": .string(settings.tls.rawValue),
            ]
        }
    }
}
