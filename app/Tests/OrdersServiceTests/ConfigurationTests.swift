import Foundation
import Logging
import Testing

@testable import OrdersCore
@testable import OrdersService

@Suite("Configuration from the environment")
struct ConfigurationTests {
    @Test("defaults are the documented production-safe values")
    func defaults() throws {
        let configuration = try TestService.configuration()
        #expect(configuration.httpHost == "127.0.0.1")
        #expect(configuration.httpPort == 8080)
        #expect(configuration.metricsPort == 8080)
        #expect(!configuration.servesMetricsSeparately)
        #expect(configuration.logLevel == .info)
        #expect(configuration.logFormat == .json)
        #expect(configuration.maxBodyBytes == 65_536)
        #expect(configuration.store == .sqlite(path: "data/orders.sqlite"))
    }

    @Test("timing defaults equal config/timings.json, the source the load balancer and task definition read")
    func timingDefaultsMatchTheSharedSource() throws {
        let url = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("config/timings.json")
        let timings = try #require(JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        let configuration = try TestService.configuration()
        func seconds(_ key: String) throws -> Duration {
            .seconds(try #require(timings[key] as? Int))
        }
        #expect(configuration.drainDelay == (try seconds("drain_delay_seconds")))
        #expect(configuration.shutdownTimeout == (try seconds("shutdown_timeout_seconds")))
        #expect(configuration.idleTimeout == (try seconds("keep_alive_idle_timeout_seconds")))
        #expect(configuration.requestTimeout == (try seconds("request_timeout_seconds")))
        #expect(configuration.idleTimeout > (try seconds("alb_idle_timeout_seconds")))
    }

    @Test("good values are read")
    func goodValues() throws {
        let configuration = try TestService.configuration([
            "HTTP_HOST": "0.0.0.0", "HTTP_PORT": "9000", "METRICS_PORT": "9090", "LOG_LEVEL": "DEBUG",
            "LOG_FORMAT": "text", "DRAIN_DELAY_SECONDS": "0.5", "SHUTDOWN_TIMEOUT_SECONDS": "20",
            "HTTP_IDLE_TIMEOUT_SECONDS": "90", "MAX_BODY_BYTES": "2048", "SQLITE_PATH": "/tmp/o.sqlite",
        ])
        #expect(configuration.httpHost == "0.0.0.0")
        #expect(configuration.httpPort == 9000)
        #expect(configuration.metricsPort == 9090)
        #expect(configuration.servesMetricsSeparately)
        #expect(configuration.logLevel == .debug)
        #expect(configuration.logFormat == .text)
        #expect(configuration.drainDelay == .milliseconds(500))
        #expect(configuration.shutdownTimeout == .seconds(20))
        #expect(configuration.idleTimeout == .seconds(90))
        #expect(configuration.maxBodyBytes == 2048)
        #expect(configuration.store == .sqlite(path: "/tmp/o.sqlite"))
    }

    @Test(
        "a bad value names the variable and the value in one line",
        arguments: [
            ("HTTP_PORT", "99999"), ("HTTP_PORT", "abc"), ("HTTP_PORT", "0"), ("LOG_LEVEL", "loud"),
            ("LOG_FORMAT", "xml"), ("DRAIN_DELAY_SECONDS", "-1"), ("DRAIN_DELAY_SECONDS", "nan"),
            ("SHUTDOWN_TIMEOUT_SECONDS", "0"), ("HTTP_IDLE_TIMEOUT_SECONDS", "1e9"), ("MAX_BODY_BYTES", "10"),
            ("HTTP_HOST", "bad host"), ("HTTP_HOST", "hôst"),
            ("STORE", "mongodb"), ("DATABASE_POOL_SIZE", "0"),
        ]
    )
    func badValue(variable: String, value: String) throws {
        var environment = [variable: value]
        if variable.hasPrefix("DATABASE_") { environment["STORE"] = "postgres" }
        let error = try #require(throws: ConfigurationError.self) { try TestService.configuration(environment) }
        #expect(error.variable == variable)
        #expect(error.description.hasPrefix("invalid \(variable)=\"\(value)\": expected "))
        #expect(!error.description.contains("\n"))
    }

    @Test("HTTP_HOST takes a host name or an IPv4 or IPv6 address, up to 253 characters")
    func hostNames() throws {
        for host in ["::1", "127.0.0.1", "orders.internal", String(repeating: "h", count: 253)] {
            #expect(try TestService.configuration(["HTTP_HOST": host]).httpHost == host)
        }
        let tooLong = #expect(throws: ConfigurationError.self) {
            try TestService.configuration(["HTTP_HOST": String(repeating: "h", count: 254)])
        }
        #expect(tooLong?.variable == "HTTP_HOST")
    }

    @Test("CURSOR_KEY is 64 hex digits; a bad one is refused without showing it")
    func cursorKey() throws {
        let key = String(repeating: "0f", count: 32)
        #expect(try TestService.configuration(["CURSOR_KEY": key]).cursorKey == Array(repeating: 0x0F, count: 32))
        #expect(try TestService.configuration().cursorKey == nil)
        for bad in ["secret-value", String(repeating: "0f", count: 31), String(repeating: "zz", count: 32)] {
            let error = try #require(throws: ConfigurationError.self) {
                try TestService.configuration(["CURSOR_KEY": bad])
            }
            #expect(error.variable == "CURSOR_KEY")
            #expect(!error.description.contains(bad))
        }
    }

    @Test("HTTP_MAX_CONNECTIONS sets the connection limit; unset, it is derived")
    func maxConnections() throws {
        #expect(try TestService.configuration(["HTTP_MAX_CONNECTIONS": "500"]).maxConnections == 500)
        #expect(try TestService.configuration().maxConnections == nil)
        for bad in ["0", "-5", "many", "1000001"] {
            #expect(throws: ConfigurationError.self) { try TestService.configuration(["HTTP_MAX_CONNECTIONS": bad]) }
        }
    }

    @Test("a hostile value cannot add lines to the message")
    func hostileValueStaysOnOneLine() throws {
        let error = try #require(throws: ConfigurationError.self) {
            try TestService.configuration(["HTTP_PORT": "80\nFAKE LOG LINE" + String(repeating: "x", count: 500)])
        }
        #expect(!error.description.contains("\n"))
        #expect(error.description.count < 300)
    }

    @Test("DATABASE_URL is parsed, and the discrete variables win over its parts")
    func databaseURL() throws {
        let configuration = try TestService.configuration([
            "STORE": "postgres",
            "DATABASE_URL": "postgres://svc:p%40ss%2Fword@db.internal:6543/orders_prod",
            "DATABASE_PASSWORD": "from-secrets-manager", "DATABASE_TLS": "require", "DATABASE_POOL_SIZE": "7",
        ])
        let settings = try #require(configuration.store.postgresSettings)
        #expect(settings.host == "db.internal")
        #expect(settings.port == 6543)
        #expect(settings.user == "svc")
        #expect(settings.password == "from-secrets-manager")
        #expect(settings.database == "orders_prod")
        #expect(settings.tls == .require)
        #expect(settings.poolSize == 7)

        let decoded = try TestService.configuration([
            "STORE": "postgres", "DATABASE_URL": "postgresql://svc:p%40ss%2Fword@db.internal/orders",
        ])
        #expect(decoded.store.postgresSettings?.password == "p@ss/word")
        #expect(decoded.store.postgresSettings?.port == 5432)
    }

    @Test("a malformed DATABASE_URL is refused without echoing it")
    func malformedDatabaseURL() throws {
        let error = try #require(throws: ConfigurationError.self) {
            try TestService.configuration(["STORE": "postgres", "DATABASE_URL": "mysql://root:hunter2@x/y"])
        }
        #expect(error.variable == "DATABASE_URL")
        #expect(!error.description.contains("hunter2"))
    }

    @Test("a CA file that cannot be read stops the start with the variable's name")
    func unreadableCAFile() throws {
        let configuration = try TestService.configuration([
            "STORE": "postgres", "DATABASE_TLS": "require", "DATABASE_TLS_CA_FILE": "/nonexistent/ca.pem",
        ])
        let settings = try #require(configuration.store.postgresSettings)
        let error = try #require(throws: ConfigurationError.self) {
            _ = try PostgresOrderStore(settings: settings, logger: Logger(label: "test"))
        }
        #expect(error.variable == "DATABASE_TLS_CA_FILE")
    }
}
