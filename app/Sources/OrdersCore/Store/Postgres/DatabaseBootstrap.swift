package import Logging
import PostgresNIO

/// Creates the service's own database role and schema, from the master login.
///
/// The service never logs in as the master user: that password rotates and belongs to operators. Its
/// role may log in and owns one schema (named after it, and first on its search path), where its
/// migrations create the tables; it has no other rights.
package enum DatabaseBootstrap {
    /// The role to create, with its password.
    package struct ServiceRole: Sendable {
        /// The role's name, which is also the name of the schema it owns.
        package let name: String
        /// Its password.
        let password: String

        /// A role named `name` that logs in with `password`.
        package init(name: String, password: String) {
            self.name = name
            self.password = password
        }
    }

    /// Runs the bootstrap in one transaction. Identifiers and the password are quoted by the server
    /// (`format` with `%I` and `%L`), never spliced into SQL here.
    package static func run(master: PostgresSettings, role: ServiceRole, logger: Logger) async throws {
        var configuration = try master.clientConfiguration()
        configuration.options.minimumConnections = 0
        configuration.options.maximumConnections = 1
        let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            try await withDeadline(master.connectTimeout + .seconds(30), "database bootstrap") {
                try await client.withTransaction(logger: logger) { connection in
                    try await bootstrap(role: role, database: master.database, on: connection, logger: logger)
                }
            }
        }
        logger.info("service role ready", metadata: ["role": .string(role.name)])
    }

    private static func bootstrap(
        role: ServiceRole,
        database: String,
        on connection: PostgresConnection,
        logger: Logger
    ) async throws {
        var exists = false
        let rows = try await connection.query("SELECT 1 FROM pg_roles WHERE rolname = \(role.name)", logger: logger)
        for try await _ in rows.decode(Int.self) { exists = true }
        let roleStatement = exists ? "ALTER ROLE %I WITH LOGIN PASSWORD %L" : "CREATE ROLE %I WITH LOGIN PASSWORD %L"
        try await execute(formatted: roleStatement, role.name, role.password, on: connection, logger: logger)
        // Creating a schema owned by a role requires being a member of it (PostgreSQL 16 and later no
        // longer make the creator one).
        try await execute(formatted: "GRANT %I TO CURRENT_USER", role.name, on: connection, logger: logger)
        try await execute(
            formatted: "GRANT CONNECT ON DATABASE %I TO %I",
            database,
            role.name,
            on: connection,
            logger: logger
        )
        try await execute(
            formatted: "CREATE SCHEMA IF NOT EXISTS %I AUTHORIZATION %I",
            role.name,
            role.name,
            on: connection,
            logger: logger
        )
        try await execute(
            formatted: "ALTER ROLE %I SET search_path = %I",
            role.name,
            role.name,
            on: connection,
            logger: logger
        )
        try await execute(formatted: "REVOKE ALL ON SCHEMA public FROM %I", role.name, on: connection, logger: logger)
    }

    /// Has the server build a statement from a `format()` template, then runs it.
    private static func execute(
        formatted template: String,
        _ arguments: String...,
        on connection: PostgresConnection,
        logger: Logger
    )
        async throws
    {
        var bindings = PostgresBindings()
        bindings.append(template)
        for argument in arguments { bindings.append(argument) }
        let placeholders = (2...(arguments.count + 1)).map { "$\($0)" }.joined(separator: ", ")
        let rows = try await connection.query(
            PostgresQuery(unsafeSQL: "SELECT format($1, \(placeholders))", binds: bindings),
            logger: logger
        )
        var statement: String?
        for try await text in rows.decode(String.self) { statement = text }
        guard let statement else { throw StoreUnavailableError("format() returned nothing") }
        try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
    }

    /// A one-line error with no SQL and no password.
    package static func describe(_ error: any Error) -> String {
        PostgresOrderStore.summary(of: error)
    }
}
