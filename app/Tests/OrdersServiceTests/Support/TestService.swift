import Configuration
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Testing

@testable import OrdersCore
@testable import OrdersService

/// Builds the service the way production does, with settings from a dictionary named like the
/// environment, logs kept in memory, and the store a test chose.
struct TestService {
    let service: OrdersServiceApplication
    let logs: InMemoryLogSink

    static func configuration(_ environment: [String: String] = [:]) throws -> ServiceConfiguration {
        let provider = EnvironmentVariablesProvider(environmentVariables: environment)
        return try ServiceConfiguration(settings: SettingsReader(reader: ConfigReader(provider: provider)))
    }

    /// Runs `body` with a service built on a new, empty store (as `wrappingStore` returns it, when a test
    /// gives one). The store's own services (connection pool, migrations, closing its files) run around
    /// `body`, so the store is ready before the first request and released after the last.
    static func run<Value: Sendable>(
        store: StoreKind,
        environment: [String: String] = [:],
        apiKeyCacheLifetime: Duration = .zero,
        testRoutes: (@Sendable (Router<OrdersRequestContext>) -> Void)? = nil,
        wrappingStore: (@Sendable (any OrderStore) -> any OrderStore)? = nil,
        _ body: @escaping @Sendable (TestService) async throws -> Value
    ) async throws -> Value {
        let logs = InMemoryLogSink()
        let logger = Logger(label: "test") { label in
            StructuredLogHandler(label: label, format: .json, level: .debug, sink: logs)
        }
        let configuration = try configuration(environment)
        let orderStore = try await store.makeStore(logger: logger)
        let service = try await buildApplication(
            configuration: configuration,
            logger: logger,
            store: wrappingStore?(orderStore) ?? orderStore,
            apiKeyCacheLifetime: apiKeyCacheLifetime,
            runsStoreServices: false,
            testRoutes: testRoutes
        )
        return try await withStoreServices(of: orderStore, logger: logger) {
            try await body(TestService(service: service, logs: logs))
        }
    }

    /// Runs `body` against the application without a socket (the store's services run meanwhile).
    func withRouterClient<Value>(
        _ body: @escaping @Sendable (any TestClientProtocol) async throws -> Value
    ) async throws -> Value {
        try await service.application.test(.router, body)
    }

    /// Another instance of the service on the same store, as a second task of a deployment is.
    func anotherInstance() async throws -> OrdersServiceApplication {
        try await buildApplication(
            configuration: service.configuration,
            logger: service.logger,
            store: service.store,
            apiKeyCacheLifetime: .zero,
            runsStoreServices: false,
            testRoutes: nil
        )
    }

    /// Creates an API key directly in the store.
    func createKey(customer: String?) async throws -> (token: String, keyID: String) {
        let generated = APIKey.generate()
        try await service.store.insertKey(
            APIKeyRecord(
                keyID: generated.keyID,
                secretDigest: generated.secretDigest,
                customerID: customer,
                label: "test",
                createdAtMilliseconds: UTCTimestamp.nowMilliseconds()
            )
        )
        return (generated.token, generated.keyID)
    }
}

extension TestClientProtocol {
    /// Sends a request with a bearer token and, for a body, a JSON content type.
    func send(
        _ method: HTTPRequest.Method,
        _ uri: String,
        token: String? = nil,
        json: String? = nil,
        headers extra: HTTPFields = [:]
    ) async throws -> TestResponse {
        var headers = extra
        if let token { headers[.authorization] = "Bearer \(token)" }
        if json != nil, headers[.contentType] == nil { headers[.contentType] = "application/json" }
        return try await executeRequest(
            uri: uri,
            method: method,
            headers: headers,
            body: json.map { ByteBuffer(string: $0) }
        )
    }
}

extension TestResponse {
    /// The body parsed as a JSON object.
    var json: [String: Any] {
        get throws {
            let object = try JSONSerialization.jsonObject(with: Data(body.readableBytesView))
            guard let dictionary = object as? [String: Any] else {
                throw TestFailure("body is not a JSON object: \(String(buffer: body))")
            }
            return dictionary
        }
    }

    var text: String { String(buffer: body) }
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// A valid order body for `customer`.
func orderJSON(customer: String? = "c-1", sku: String = "SKU-1", quantity: Int = 2, price: Int = 1250) -> String {
    let customerField = customer.map { "\"customer_id\":\"\($0)\"," } ?? ""
    return
        "{\(customerField)\"currency\":\"EUR\",\"items\":[{\"sku\":\"\(sku)\",\"quantity\":\(quantity),\"unit_price_cents\":\(price)}]}"
}
