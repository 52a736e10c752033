import Testing

@testable import OrdersCore
@testable import OrdersService

/// The store is chosen on purpose: PostgreSQL settings without `STORE=postgres` stop the start with one
/// line naming them, instead of serving from a local SQLite file.
@Suite("Choosing the store")
struct StoreSelectionTests {
    @Test(
        "a PostgreSQL setting without STORE=postgres is refused, naming it",
        arguments: [
            (
                ["DATABASE_URL": "postgres://u:secret-pw@db:5432/orders"],
                "DATABASE_URL is a PostgreSQL setting, but STORE is unset"
            ),
            (
                ["DATABASE_HOST": "db.internal", "DATABASE_PASSWORD": "secret-pw"],
                "DATABASE_HOST, DATABASE_PASSWORD are PostgreSQL settings"
            ),
            (["STORE": "sqlite", "DATABASE_URL": "postgres://u:secret-pw@db/orders"], "but STORE=sqlite"),
            (
                ["SQLITE_PATH": "/data/orders.sqlite", "DATABASE_TLS": "require"],
                "DATABASE_TLS is a PostgreSQL setting"
            ),
        ]
    )
    func conflict(environment: [String: String], expected: String) throws {
        #expect {
            try TestService.configuration(environment)
        } throws: { error in
            let line = String(describing: error)
            return line.hasPrefix("conflicting settings: ") && line.contains(expected)
                && line.contains("set STORE=postgres") && !line.contains("secret-pw") && !line.contains("\n")
        }
    }

    @Test("STORE=postgres uses the PostgreSQL settings and ignores SQLITE_PATH, which the image sets")
    func explicitPostgres() throws {
        let configuration = try TestService.configuration([
            "STORE": "postgres", "DATABASE_HOST": "db.internal", "SQLITE_PATH": "/data/orders.sqlite",
        ])
        #expect(configuration.store.postgresSettings?.host == "db.internal")
    }

    @Test("no PostgreSQL setting: the SQLite file, by default or as named")
    func sqlite() throws {
        #expect(try TestService.configuration([:]).store == .sqlite(path: StoreConfiguration.defaultSQLitePath))
        #expect(try TestService.configuration(["SQLITE_PATH": "/tmp/o.sqlite"]).store == .sqlite(path: "/tmp/o.sqlite"))
    }

    @Test("the start-up line says which store and where, never a password")
    func logMetadata() throws {
        let postgres = try TestService.configuration([
            "STORE": "postgres", "DATABASE_URL": "postgres://svc:secret-pw@db.internal:6432/orders_prod",
        ])
        let fields = postgres.store.logMetadata
        #expect(fields["store"] == "postgres")
        #expect(fields["host"] == "db.internal")
        #expect(fields["port"]?.description == "6432")
        #expect(fields["database"] == "orders_prod")
        #expect(fields["user"] == "svc")
        #expect(!fields.values.contains { $0.description.contains("secret-pw") })
        let sqlite = try TestService.configuration(["SQLITE_PATH": "relative/orders.sqlite"]).store.logMetadata
        #expect(sqlite["store"] == "sqlite")
        #expect(sqlite["path"]?.description.hasPrefix("/") == true)
        #expect(sqlite["path"]?.description.hasSuffix("/relative/orders.sqlite") == true)
    }

    @Test("the PostgreSQL pool is fixed at DATABASE_POOL_SIZE connections and sends no keep-alive queries")
    func fixedPool() throws {
        for size in ["1", "5", "12"] {
            let configuration = try TestService.configuration(["STORE": "postgres", "DATABASE_POOL_SIZE": size])
            guard case .postgres(let settings) = configuration.store else {
                Issue.record("STORE=postgres chose \(configuration.store)")
                return
            }
            let options = try settings.clientConfiguration().options
            #expect(options.maximumConnections == Int(size))
            #expect(options.minimumConnections == Int(size))
            #expect(options.keepAliveBehavior == nil)
        }
    }
}
