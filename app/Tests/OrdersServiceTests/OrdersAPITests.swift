import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@testable import OrdersCore
@testable import OrdersService

@Suite("Orders API")
struct OrdersAPITests {
    /// The cases that depend on the store.
    static let storeCases = [
        StoreCase("create returns 201, the stored order and its Location; get returns it", createAndGet),
        StoreCase("unknown and malformed ids are 404, never 500", unknownIDs),
        StoreCase("bad input gets a clear answer and writes nothing", badInput),
    ]

    /// Create returns 201, the stored order and its Location; get returns it.
    static func createAndGet(_ store: StoreKind) async throws {
        try await TestService.run(store: store) { test in
            let (token, _) = try await test.createKey(customer: "c-1")
            try await test.withRouterClient { client async throws in
                let body =
                    #"{"customer_id":"c-1","currency":"EUR","items":[{"sku":"A","quantity":3,"unit_price_cents":199},{"sku":"B","quantity":1,"unit_price_cents":1000}]}"#
                let created = try await client.send(.post, "/orders", token: token, json: body)
                #expect(created.status == .created)
                let order = try created.json
                let id = try #require(order["id"] as? String)
                #expect(UUID(uuidString: id) != nil && id == id.lowercased())
                #expect(created.headers[.location] == "/orders/\(id)")
                #expect(order["customer_id"] as? String == "c-1")
                #expect(order["currency"] as? String == "EUR")
                #expect(order["total_cents"] as? Int == 1597)
                #expect(order["status"] as? String == "created")
                let createdAt = try #require(order["created_at"] as? String)
                #expect(
                    createdAt.hasSuffix("Z")
                        && ISO8601DateFormatter().date(
                            from: createdAt.replacingOccurrences(
                                of: #"\.\d{3}"#,
                                with: "",
                                options: .regularExpression
                            )
                        ) != nil
                )
                let items = try #require(order["items"] as? [[String: Any]])
                #expect(items.count == 2 && items[0]["line_total_cents"] as? Int == 597)

                let fetched = try await client.send(.get, "/orders/\(id)", token: token)
                #expect(fetched.status == .ok)
                #expect(fetched.text == created.text)
                let upper = try await client.send(.get, "/orders/\(id.uppercased())", token: token)
                #expect(upper.status == .ok, "ids are case-insensitive UUIDs")
            }
        }
    }

    /// Unknown and malformed ids are 404, never 500.
    static func unknownIDs(_ store: StoreKind) async throws {
        try await TestService.run(store: store) { test in
            let (token, _) = try await test.createKey(customer: "c-1")
            try await test.withRouterClient { client async throws in
                for id in [
                    UUID().uuidString, "not-a-uuid", "1", "%00", "'%20OR%201=1", String(repeating: "9", count: 300),
                ] {
                    let response = try await client.send(.get, "/orders/\(id)", token: token)
                    #expect(response.status == .notFound, "\(id)")
                    #expect(response.headers[.contentType] == "application/problem+json")
                }
            }
        }
    }

    /// Bad input gets a clear answer and writes nothing.
    static func badInput(_ store: StoreKind) async throws {
        try await TestService.run(store: store) { test in
            let (token, _) = try await test.createKey(customer: nil)
            try await test.withRouterClient { client async throws in
                let cases: [(String, String?, HTTPResponse.Status)] = [
                    ("{not json", "application/json", .badRequest),
                    ("", "application/json", .badRequest),
                    ("[1,2]", "application/json", .unprocessableContent),
                    ("\"order\"", "application/json", .unprocessableContent),
                    (orderJSON(), "text/plain", .unsupportedMediaType),
                    (orderJSON(), nil, .unsupportedMediaType),
                    (orderJSON(), "application/xml", .unsupportedMediaType),
                    (
                        #"{"customer_id":"c","currency":"EUR","items":[{"sku":"a","quantity":2,"unit_price_cents":9223372036854775807}]}"#,
                        "application/json", .unprocessableContent
                    ),
                    (
                        #"{"customer_id":"c","currency":"EUR","items":[{"sku":"a","quantity":1,"unit_price_cents":9223372036854775807},{"sku":"b","quantity":1,"unit_price_cents":1}]}"#,
                        "application/json", .unprocessableContent
                    ),
                    (
                        #"{"customer_id":"c","currency":"EUR","items":[{"sku":"a","quantity":1,"unit_price_cents":92233720368547758070}]}"#,
                        "application/json", .unprocessableContent
                    ),
                    (
                        #"{"customer_id":"c","currency":"EUR","items":[{"sku":"a","quantity":1.5,"unit_price_cents":1}]}"#,
                        "application/json", .unprocessableContent
                    ),
                    (
                        #"{"customer_id":"c","currency":"EUR","items":[]}"#, "application/json",
                        .unprocessableContent
                    ),
                ]
                for (body, contentType, status) in cases {
                    var headers: HTTPFields = [.authorization: "Bearer \(token)"]
                    if let contentType { headers[.contentType] = contentType }
                    let response = try await client.executeRequest(
                        uri: "/orders",
                        method: .post,
                        headers: headers,
                        body: .init(string: body)
                    )
                    #expect(response.status == status, "\(body.prefix(60)) as \(contentType ?? "no type")")
                    #expect(response.headers[.contentType] == "application/problem+json")
                }
                let oversized = orderJSON(sku: String(repeating: "x", count: 70_000))
                let tooLarge = try await client.send(.post, "/orders", token: token, json: oversized)
                #expect(tooLarge.status == .contentTooLarge)
                let list = try await client.send(.get, "/orders", token: token)
                #expect((try list.json["orders"] as? [Any])?.isEmpty == true, "nothing was written")
            }
        }
    }

    @Test("a body that breaks several rules gets every error with its JSON pointer")
    func everyFieldError() async throws {
        try await TestService.run(store: .sqlite) { test in
            let (token, _) = try await test.createKey(customer: nil)
            try await test.withRouterClient { client async throws in
                let body =
                    #"{"currency":"eur","items":[{"sku":"","quantity":0,"unit_price_cents":-1,"x/y":1},"x"],"extra~":true}"#
                let response = try await client.send(.post, "/orders", token: token, json: body)
                #expect(response.status == .unprocessableContent)
                let errors = try #require(try response.json["errors"] as? [[String: String]])
                let pointers = Set(errors.compactMap { $0["pointer"] })
                #expect(
                    pointers == [
                        "/extra~0", "/customer_id", "/currency", "/items/0/x~1y", "/items/0/sku", "/items/0/quantity",
                        "/items/0/unit_price_cents", "/items/1",
                    ]
                )
                #expect(errors.allSatisfy { !($0["detail"] ?? "").isEmpty })
            }
        }
    }

    @Test("a chunked body over the limit is 413, however it is framed, and writes nothing")
    func chunkedBodyOverTheLimit() async throws {
        let port = freePort()
        try await TestService.run(store: .sqlite, environment: ["HTTP_PORT": "\(port)", "MAX_BODY_BYTES": "1024"]) {
            test in
            let server = Task { try await test.service.application.runService(gracefulShutdownSignals: []) }
            defer { server.cancel() }
            try await waitUntilServing(port: port)
            let (token, _) = try await test.createKey(customer: "c-1")
            // A valid order whose SKU makes it 2 KiB, sent in 256-byte chunks with no Content-Length, so
            // only the bytes counted while reading can tell that it is too large.
            let body = orderJSON(sku: String(repeating: "x", count: 2048))
            var chunked = ""
            var rest = Substring(body)
            while !rest.isEmpty {
                let chunk = rest.prefix(256)
                chunked += String(chunk.utf8.count, radix: 16) + "\r\n" + chunk + "\r\n"
                rest = rest.dropFirst(chunk.count)
            }
            chunked += "0\r\n\r\n"
            let reply = try await RawHTTPConnection(port: port).send(
                "POST /orders HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer \(token)\r\n"
                    + "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n" + chunked
            )
            #expect(reply.status == 413)
            #expect(reply.headers["content-type"] == "application/problem+json")
            let list = try await RawHTTPConnection(port: port).send(
                "GET /orders HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer \(token)\r\nConnection: close\r\n\r\n"
            )
            #expect(list.status == 200)
            #expect(list.body.contains(#""orders":[]"#), "nothing was written: \(list.body)")
        }
    }
}
