package import Logging
import PostgresNIO

/// Creates the service's roles and schema from the master login, and sets a login role's password.
///
/// The service never logs in as the master user: that password rotates and belongs to operators. It logs
/// in as one of two login roles (``ServiceRoles``), members of a group role that owns one schema (named
/// after it, and first on their search path), where the migrations create the tables; they have no other
/// rights. A password reaches the server only as a ``SCRAMVerifier``, so no statement log holds it.
package enum DatabaseBootstrap {
    /// A login role and the password it is to log in with.
    package struct ServiceLogin: Sendable {
        /// The login role: `<group>_a` or `<group>_b` (or the group itself, in the one-role layout).
        package let name: String
        /// Its password: never sent to the server, never logged.
        let password: String

        /// The login `name` with `password`.
        package init(name: String, password: String) {
            self.name = name
            self.password = password
        }

        /// The roles this login belongs to.
        package var roles: ServiceRoles { ServiceRoles(login: name) }

        /// The password, for the one place it goes besides the server's verifier: the service's secret.
        package var passwordForSecret: String { password }
    }

    /// What a run left that an operator should know.
    package struct Outcome: Sendable, Equatable {
        /// Sessions still logged in as the group role itself (the one-role layout), which therefore keeps
        /// its login; zero when the group cannot log in (any more).
        package var groupSessions = 0
    }

    /// A rotation refused because the login role it would change is still in use.
    package struct LoginInUse: Error, CustomStringConvertible {
        /// The role.
        package let role: String
        /// How many sessions use it.
        package let sessions: Int

        package var description: String {
            "\(sessions) session(s) still log in as \(role), which a rotation would change: tasks started before the "
                + "last rotation are still running. Finish a deployment that replaces them, then rotate again."
        }
    }

    /// Creates (or brings up to date) the group, both login roles and the schema, and sets `login`'s
    /// password, in one transaction. Safe to run again.
    package static func run(master: PostgresSettings, login: ServiceLogin, logger: Logger) async throws -> Outcome {
        let verifier = try SCRAMVerifier(password: login.password)
        let outcome = try await withTransaction(master: master, logger: logger) { connection in
            try await bootstrap(login: login.name, verifier: verifier, database: master.database, on: connection)
        }
        logger.info(
            "service roles ready",
            metadata: ["group": .string(login.roles.group), "login": .string(login.name)]
        )
        return outcome
    }

    /// Sets a new password on `login`, which no session may be using (it is the login the service's secret
    /// does not name): ``LoginInUse`` otherwise, and nothing changes. Everything else as ``run``.
    package static func rotate(master: PostgresSettings, to login: ServiceLogin, logger: Logger) async throws -> Outcome
    {
        let verifier = try SCRAMVerifier(password: login.password)
        return try await withTransaction(master: master, logger: logger) { connection in
            let sessions = try await sessionCount(of: login.name, on: connection)
            guard sessions == 0 else { throw LoginInUse(role: login.name, sessions: sessions) }
            return try await bootstrap(login: login.name, verifier: verifier, database: master.database, on: connection)
        }
    }

    /// Logs in as `login` with its password on the master's server and database, and runs `SELECT 1`:
    /// proof that the credential a secret is about to name works.
    package static func checkLogin(_ login: ServiceLogin, master: PostgresSettings, logger: Logger) async throws {
        var settings = master
        settings.user = login.name
        settings.password = login.password
        _ = try await withClient(settings: settings, logger: logger) { client in
            try await client.query("SELECT 1", logger: logger)
        }
    }

    private static func bootstrap(
        login: String,
        verifier: SCRAMVerifier,
        database: String,
        on connection: PostgresConnection
    ) async throws -> Outcome {
        let statements = Statements(connection: connection)
        let roles = ServiceRoles(login: login)
        let group = roles.group
        let loginIsGroup = login == group
        if try await !statements.roleExists(group) {
            try await statements.run(loginIsGroup ? "CREATE ROLE %I LOGIN" : "CREATE ROLE %I NOLOGIN", group)
        }
        // Creating a schema owned by a role, and granting it, require being a member of it (PostgreSQL 16
        // and later no longer make the creator one).
        try await statements.run("GRANT %I TO CURRENT_USER", group)
        for alternate in roles.logins {
            if try await !statements.roleExists(alternate) {
                // No password yet: it cannot log in until a bootstrap or a rotation gives it one.
                try await statements.run("CREATE ROLE %I LOGIN", alternate)
            }
            try await statements.run("GRANT %I TO %I", group, alternate)
            try await statements.run("ALTER ROLE %I SET role = %L", alternate, group)
            try await statements.run("ALTER ROLE %I SET search_path = %I", alternate, group)
        }
        try await statements.run("ALTER ROLE %I WITH LOGIN PASSWORD %L", login, verifier.description)
        var outcome = Outcome()
        if !loginIsGroup, try await statements.canLogIn(group) == true {
            // The one-role layout: the group logged in itself. Its login goes once nothing uses it.
            outcome.groupSessions = try await sessionCount(of: group, on: connection)
            if outcome.groupSessions == 0 {
                try await statements.run("ALTER ROLE %I WITH NOLOGIN PASSWORD NULL", group)
            }
        }
        try await statements.run("GRANT CONNECT ON DATABASE %I TO %I", database, group)
        try await statements.run("CREATE SCHEMA IF NOT EXISTS %I AUTHORIZATION %I", group, group)
        try await statements.run("ALTER ROLE %I SET search_path = %I", group, group)
        try await statements.run("REVOKE ALL ON SCHEMA public FROM %I", group)
        return outcome
    }

    private static func sessionCount(of role: String, on connection: PostgresConnection) async throws -> Int {
        let rows = try await connection.query(
            "SELECT count(*)::int8 FROM pg_stat_activity WHERE usename = \(role)",
            logger: connection.logger
        )
        var count = 0
        for try await value in rows.decode(Int.self) { count = value }
        return count
    }

    /// Runs `body` in one transaction on a single connection made with `master`.
    private static func withTransaction<Value: Sendable>(
        master: PostgresSettings,
        logger: Logger,
        _ body: @escaping @Sendable (PostgresConnection) async throws -> Value
    ) async throws -> Value {
        try await withClient(settings: master, logger: logger) { client in
            do {
                return try await client.withTransaction(logger: logger) { connection in try await body(connection) }
            } catch let error as PostgresTransactionError {
                // The cause, rather than the wrapper: a refusal of the rotation, or the server's error.
                throw error.closureError ?? error.beginError ?? error.commitError ?? error
            }
        }
    }

    /// Runs `body` with a client of at most one connection, bounded by the connect timeout and 30 s.
    private static func withClient<Value: Sendable>(
        settings: PostgresSettings,
        logger: Logger,
        _ body: @escaping @Sendable (PostgresClient) async throws -> Value
    ) async throws -> Value {
        var configuration = try settings.clientConfiguration()
        configuration.options.minimumConnections = 0
        configuration.options.maximumConnections = 1
        let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        return try await withThrowingTaskGroup(of: Value?.self) { group in
            group.addTask {
                await client.run()
                return nil
            }
            defer { group.cancelAll() }
            return try await withDeadline(settings.connectTimeout + .seconds(30), "database bootstrap") {
                try await body(client)
            }
        }
    }

    /// A one-line error with no SQL and no password.
    package static func describe(_ error: any Error) -> String {
        if let error = error as? LoginInUse { return error.description }
        if let error = error as? SCRAMVerifier.UnsupportedPassword { return error.description }
        return PostgresOrderStore.summary(of: error)
    }
}

/// The bootstrap's statements, built by the server from `format()` templates: identifiers with `%I`,
/// values with `%L`, so nothing is spliced into SQL here.
private struct Statements {
    let connection: PostgresConnection

    /// Has the server build a statement from `template` and `arguments`, then runs it.
    func run(_ template: String, _ arguments: String...) async throws {
        var bindings = PostgresBindings()
        bindings.append(template)
        for argument in arguments { bindings.append(argument) }
        let placeholders = (2...(arguments.count + 1)).map { "$\($0)" }.joined(separator: ", ")
        let rows = try await connection.query(
            PostgresQuery(unsafeSQL: "SELECT format($1, \(placeholders))", binds: bindings),
            logger: connection.logger
        )
        var statement: String?
        for try await text in rows.decode(String.self) { statement = text }
        guard let statement else { throw StoreUnavailableError("format() returned nothing") }
        try await connection.query(PostgresQuery(unsafeSQL: statement), logger: connection.logger)
    }

    /// Whether `role` may log in, or nil when there is no such role.
    func canLogIn(_ role: String) async throws -> Bool? {
        let rows = try await connection.query(
            "SELECT rolcanlogin FROM pg_roles WHERE rolname = \(role)",
            logger: connection.logger
        )
        var canLogIn: Bool?
        for try await value in rows.decode(Bool.self) { canLogIn = value }
        return canLogIn
    }

    func roleExists(_ role: String) async throws -> Bool {
        try await canLogIn(role) != nil
    }
}
