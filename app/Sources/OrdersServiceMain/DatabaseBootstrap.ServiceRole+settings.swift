import OrdersCore
import OrdersService

extension DatabaseBootstrap.ServiceRole {
    /// The role `admin bootstrap-database` creates: `SERVICE_DATABASE_USER`, a lower-case name that is
    /// also its schema's, and `SERVICE_DATABASE_PASSWORD`, at least 16 characters.
    init(settings: SettingsReader) throws(ConfigurationError) {
        guard let name = settings.string("SERVICE_DATABASE_USER") else {
            throw ConfigurationError(
                variable: "SERVICE_DATABASE_USER",
                value: "",
                expectation: "the service's role name"
            )
        }
        guard name.utf8.count <= 63, let first = name.utf8.first, first >= 0x61 && first <= 0x7A || first == 0x5F,
            name.utf8.allSatisfy({ ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x5F })
        else {
            throw ConfigurationError(
                variable: "SERVICE_DATABASE_USER",
                value: name,
                expectation: "a lower-case name of letters, digits and underscores, at most 63 characters"
            )
        }
        guard let password = settings.string("SERVICE_DATABASE_PASSWORD", isSecret: true), password.utf8.count >= 16
        else {
            throw ConfigurationError(
                variable: "SERVICE_DATABASE_PASSWORD",
                value: "(not shown)",
                expectation: "a password of at least 16 characters"
            )
        }
        self.init(name: name, password: password)
    }
}
