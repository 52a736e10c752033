import Logging
import OrdersCore

/// What the admin commands share: their logger and their notes to the operator.
enum AdminLog {
    /// Informational lines of the admin commands; never a password.
    static var logger: Logger {
        var logger = Logger(label: "orders-service.admin")
        logger.logLevel = .info
        return logger
    }

    /// Says on standard error why the group role can still log in, when it can (the one-role layout,
    /// still used by tasks started before the two login roles).
    static func reportGroupLogin(_ outcome: DatabaseBootstrap.Outcome, group: String) {
        guard outcome.groupSessions > 0 else { return }
        printError(
            "orders-service admin: \(group) keeps its login: \(outcome.groupSessions) session(s) still use it (tasks started "
                + "before the two login roles). Run this again once a deployment has replaced them; it then removes it."
        )
    }
}
