import OrdersCore
import OrdersService

/// One-line descriptions of start-up failures that name the setting to look at.
enum StartupError {
    static func describe(_ error: any Error, configuration: ServiceConfiguration) -> String {
        switch configuration.store {
        case .sqlite(let path):
            return "cannot open SQLITE_PATH=\"\(ConfigurationError.printable(path))\" (\(error))"
        case .postgres:
            return "\(type(of: error))"
        }
    }
}
