import Hummingbird

/// The OpenAPI 3.1 description of the whole HTTP surface. Its text is `app/openapi.yaml`, compiled into
/// the binary at build time (see the `EmbedOpenAPIDocument` plugin), so the served contract is always
/// the one the binary was built with.
enum OpenAPIDocument {
    /// Path the document is served at.
    static let path = "/openapi.yaml"

    /// Adds `GET /openapi.yaml`.
    static func addRoute(to router: Router<OrdersRequestContext>) {
        let body = ByteBuffer(string: yaml)
        router.get(RouterPath(stringLiteral: path)) { _, _ in
            Response(
                status: .ok,
                headers: [.contentType: "application/yaml", .cacheControl: "public, max-age=300"],
                body: .init(byteBuffer: body)
            )
        }
    }
}
