import NIOCore
import NIOEmbedded
import NIOHTTP1
import Prometheus
import Testing

@testable import OrdersService

@Suite("HTTP/1.1 connection rules")
struct ConnectionRulesTests {
    @Test(
        "whether a connection persists follows RFC 9112, section 9.3",
        arguments: [
            (HTTPVersion.http1_1, [String](), true), (.http1_1, ["keep-alive"], true), (.http1_1, ["close"], false),
            (.http1_1, ["keep-alive, close"], false), (.http1_1, ["keep-alive", "Close"], false),
            (.http1_1, ["Upgrade,  CLOSE "], false), (.http1_0, [], false), (.http1_0, ["keep-alive"], true),
            (.http1_0, ["Keep-Alive"], true), (.http1_0, ["keep-alive, close"], false),
            (.http1_0, ["keep-alive", "close"], false),
        ]
    )
    func persistence(version: HTTPVersion, fields: [String], persists: Bool) {
        #expect(ConnectionPersistence.persists(version: version, connectionFields: fields) == persists)
    }

    @Test("the derived connection limit follows memory, the body limit and open files")
    func derivedLimit() {
        let gibibyte = 1 << 30
        #expect(ConnectionLimit.derived(memoryBytes: gibibyte, openFiles: 65_536, maxBodyBytes: 65_536) == 2048)
        #expect(ConnectionLimit.derived(memoryBytes: 2 * gibibyte, openFiles: 65_536, maxBodyBytes: 65_536) == 4096)
        #expect(ConnectionLimit.derived(memoryBytes: gibibyte, openFiles: 1024, maxBodyBytes: 65_536) == 960)
        #expect(ConnectionLimit.derived(memoryBytes: gibibyte, openFiles: nil, maxBodyBytes: 16 << 20) == 16)
        #expect(ConnectionLimit.derived(memoryBytes: nil, openFiles: nil, maxBodyBytes: 65_536) == 2048)
        #expect(ConnectionLimit.forThisProcess(maxBodyBytes: 65_536) >= ConnectionLimit.minimum)
    }

    @Test("at the limit the oldest idle connection makes room; with none idle, the new one is refused")
    func registry() throws {
        let metrics = PrometheusCollectorRegistry()
        let registry = ConnectionRegistry(limit: 2, metrics: ConnectionMetrics(registry: metrics, limit: 2))
        let first = EmbeddedChannel()
        let second = EmbeddedChannel()
        try first.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        #expect(registry.admit(first))
        #expect(registry.admit(second))
        registry.markBusy(second)
        let third = EmbeddedChannel()
        #expect(registry.admit(third), "the idle first connection makes room")
        #expect(!first.isActive, "and is closed")
        registry.markBusy(third)
        #expect(!registry.admit(EmbeddedChannel()), "every held connection is busy: refused")
        registry.markIdle(second)
        #expect(registry.admit(EmbeddedChannel()))
        let text = String(decoding: metrics.emitToBuffer(), as: UTF8.self)
        #expect(text.contains(#"http_connections_shed_total{action="closed_idle"} 2"#), "\(text)")
        #expect(text.contains(#"http_connections_shed_total{action="refused"} 1"#))
        #expect(text.contains("http_connections_open 2"))
        #expect(text.contains("http_connections_limit 2"))
    }
}

@Suite("The connection handler on one connection")
struct HTTP1ConnectionHandlerTests {
    /// A connection with NIO's codec and the handler, as the server builds it, and what the handler
    /// answered on its own.
    final class Connection {
        let channel = EmbeddedChannel()

        init() throws {
            let pipeline = channel.pipeline.syncOperations
            try pipeline.addHandler(HTTPResponseEncoder())
            try pipeline.addHandler(ByteToMessageHandler(HTTPRequestDecoder()))
            try pipeline.addHandler(HTTP1ConnectionHandler(answered: { _, _ in }))
            try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        }

        /// Sends bytes from the client; the request parts the application would see.
        func receive(_ text: String) throws -> [HTTPServerRequestPart] {
            try channel.writeInbound(ByteBuffer(string: text))
            var parts: [HTTPServerRequestPart] = []
            while let part = try channel.readInbound(as: HTTPServerRequestPart.self) { parts.append(part) }
            return parts
        }

        /// The application answers `status` with `body`.
        func respond(_ body: String = "ok") throws {
            let head = HTTPResponseHead(
                version: .http1_1,
                status: .ok,
                headers: ["Content-Length": "\(body.utf8.count)"]
            )
            try channel.writeOutbound(HTTPServerResponsePart.head(head))
            try channel.writeOutbound(HTTPServerResponsePart.body(.byteBuffer(ByteBuffer(string: body))))
            try channel.writeOutbound(HTTPServerResponsePart.end(nil))
        }

        /// Everything written to the client so far.
        func sent() throws -> String {
            var text = ""
            while let data = try channel.readOutbound(as: IOData.self) {
                if case .byteBuffer(let buffer) = data { text += String(buffer: buffer) }
            }
            return text
        }

        /// Whether the connection is closed once the closing connection's linger time has passed.
        func closedAfterLinger() -> Bool {
            channel.embeddedEventLoop.advanceTime(by: HTTP1ConnectionHandler.lingerTimeout)
            return !channel.isActive
        }
    }

    @Test("HTTP/1.0 without keep-alive: the response says close and the connection closes")
    func http10Closes() throws {
        let connection = try Connection()
        #expect(try connection.receive("GET /a HTTP/1.0\r\n\r\n").count == 2)
        try connection.respond()
        #expect(try connection.sent().contains("Connection: close\r\n"))
        #expect(connection.closedAfterLinger())
    }

    @Test("HTTP/1.0 with keep-alive: the response says keep-alive and the connection stays")
    func http10KeepAlive() throws {
        let connection = try Connection()
        _ = try connection.receive("GET /a HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
        try connection.respond()
        #expect(try connection.sent().contains("Connection: keep-alive\r\n"))
        #expect(!connection.closedAfterLinger())
    }

    @Test("a response to HEAD keeps the GET's length and sends no body")
    func head() throws {
        let connection = try Connection()
        _ = try connection.receive("HEAD /a HTTP/1.1\r\nHost: x\r\n\r\n")
        try connection.respond("twelve bytes")
        let sent = try connection.sent()
        #expect(sent.contains("Content-Length: 12\r\n"))
        #expect(sent.hasSuffix("\r\n\r\n"), "no body after the head: \(sent)")
        #expect(!connection.closedAfterLinger())
    }

    @Test("a response sent before the request's body arrived closes the connection")
    func earlyResponseCloses() throws {
        let connection = try Connection()
        let parts = try connection.receive("POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{")
        #expect(parts.count == 2, "the head and the first body byte")
        try connection.respond()
        #expect(try connection.sent().contains("Connection: close\r\n"))
        #expect(connection.closedAfterLinger())
    }

    @Test("a bad head behind a pipelined request is answered after that request's response, then closed")
    func pipelinedParseError() throws {
        let connection = try Connection()
        let parts = try connection.receive("GET /a HTTP/1.1\r\nHost: x\r\n\r\nBREW /pot HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(parts.count == 2, "only the first request reaches the application")
        #expect(try connection.sent() == "", "nothing is answered before the first response")
        try connection.respond("first")
        let sent = try connection.sent()
        let first = try #require(sent.range(of: "first"))
        let refusal = try #require(sent.range(of: "HTTP/1.1 501 Not Implemented"))
        #expect(first.upperBound <= refusal.lowerBound, "in order: \(sent)")
        #expect(sent.hasSuffix("}"), "the refusal carries a problem body")
        #expect(connection.closedAfterLinger())
    }
}
