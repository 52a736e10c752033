import OrdersCore
import OrdersService

extension DatabaseBootstrap.ServiceLogin {
    /// The login `admin bootstrap-database` sets up, as the service's secret names it:
    /// `SERVICE_DATABASE_USER`, a login role `<group>_a` or `<group>_b` (or, in the one-role layout, the
    /// group itself), and `SERVICE_DATABASE_PASSWORD`, 16 to 1024 printable ASCII characters.
    init(settings: SettingsReader) throws(ConfigurationError) {
        guard let name = settings.string("SERVICE_DATABASE_USER") else {
            throw ConfigurationError(
                variable: "SERVICE_DATABASE_USER",
                value: "",
                expectation: "the service's login role, <group>_a or <group>_b"
            )
        }
        try Self.validate(name: name, variable: "SERVICE_DATABASE_USER")
        guard let password = settings.string("SERVICE_DATABASE_PASSWORD", isSecret: true),
            (16...1024).contains(password.utf8.count), password.utf8.allSatisfy({ $0 >= 0x20 && $0 <= 0x7E })
        else {
            throw ConfigurationError(
                variable: "SERVICE_DATABASE_PASSWORD",
                value: "(not shown)",
                expectation: "a password of 16 to 1024 printable ASCII characters"
            )
        }
        self.init(name: name, password: password)
    }

    /// Refuses a login role name PostgreSQL would need quoting for, or whose group leaves no room for the
    /// `_a` and `_b` suffixes.
    static func validate(name: String, variable: String) throws(ConfigurationError) {
        guard ServiceRoles.isValidName(name),
            ServiceRoles(login: name).group.utf8.count <= ServiceRoles.maximumGroupLength
        else {
            throw ConfigurationError(
                variable: variable,
                value: name,
                expectation: "a lower-case role name of letters, digits and underscores, its group at most "
                    + "\(ServiceRoles.maximumGroupLength) characters"
            )
        }
    }
}
