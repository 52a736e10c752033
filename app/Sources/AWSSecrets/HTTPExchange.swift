import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import Synchronization

/// One HTTP/1.1 request over a connection of its own, TLS for `https` (the certificate chain and the host
/// name or address verified), the answer read whole, all of it within a deadline.
///
/// The operator commands make a handful of calls and exit, so there is no pool, no retry, no redirect
/// and no proxy. It runs on the NIO, NIOSSL and NIOHTTP1 the binary carries for its server and its
/// database anyway: AsyncHTTPClient, tried first, added 5.0 MB to the binary (84.2 to 89.2 MB) and
/// pushed the image past its size bounds, for features these calls do not use.
struct HTTPExchange: Sendable {
    /// A request to send.
    struct Request: Sendable {
        /// `GET` or `POST`.
        var method: HTTPMethod
        /// Where to send it: scheme, host, port; the request's path.
        var url: URLParts
        /// Every header but `Host`, `Content-Length` and `Connection`, which the exchange sets.
        var headers: [(name: String, value: String)]
        /// The body, empty for none.
        var body: [UInt8]
    }

    /// The answer: status and body.
    struct Response: Sendable {
        let status: Int
        let body: [UInt8]
    }

    /// The connection failed, or the deadline passed, before a whole answer arrived.
    struct Failed: Error, CustomStringConvertible {
        let description: String
    }

    /// TLS for `https` URLs.
    let tls: NIOSSLContext
    /// Bound on connecting.
    let connectTimeout: TimeAmount
    /// Bound on the whole exchange.
    let timeout: TimeAmount
    /// Largest answer read.
    let maximumResponseBytes: Int

    /// Sends `request` and reads the answer.
    func send(_ request: Request) async throws -> Response {
        let url = request.url
        let isAddress = url.host.hasPrefix("[") || url.host.allSatisfy { $0.isNumber || $0 == "." }
        let host = url.host.hasPrefix("[") ? String(url.host.dropFirst().dropLast()) : url.host
        let port = url.port ?? (url.scheme == "https" ? 443 : 80)
        let tls = url.scheme == "https" ? self.tls : nil
        let channel: NIOAsyncChannel<HTTPClientResponsePart, HTTPClientRequestPart>
        do {
            channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connectTimeout(connectTimeout)
                .connect(host: host, port: port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        if let tls {
                            // An address cannot be sent as SNI; NIOSSL then checks the certificate against
                            // the address connected to.
                            let handler = try NIOSSLClientHandler(context: tls, serverHostname: isAddress ? nil : host)
                            try channel.pipeline.syncOperations.addHandler(handler)
                        }
                        try channel.pipeline.syncOperations.addHTTPClientHandlers()
                        return try NIOAsyncChannel<HTTPClientResponsePart, HTTPClientRequestPart>(
                            wrappingChannelSynchronously: channel
                        )
                    }
                }
        } catch {
            throw Failed(description: "cannot connect to \(url.hostHeader): \(error)")
        }
        // The deadline closes the connection, which ends whatever is still being read or written.
        let timedOut = Flag()
        let deadline = channel.channel.eventLoop.scheduleTask(in: timeout) { [channel = channel.channel] in
            timedOut.value.store(true, ordering: .relaxed)
            channel.close(promise: nil)
        }
        defer { deadline.cancel() }
        do {
            return try await channel.executeThenClose { inbound, outbound in
                var headers = HTTPHeaders(request.headers.map { ($0.name, $0.value) })
                headers.replaceOrAdd(name: "Host", value: url.hostHeader)
                headers.replaceOrAdd(name: "Content-Length", value: String(request.body.count))
                headers.replaceOrAdd(name: "Connection", value: "close")
                let path = url.path.isEmpty ? "/" : url.path
                try await outbound.write(
                    .head(HTTPRequestHead(version: .http1_1, method: request.method, uri: path, headers: headers))
                )
                if !request.body.isEmpty {
                    try await outbound.write(.body(.byteBuffer(ByteBuffer(bytes: request.body))))
                }
                try await outbound.write(.end(nil))
                var status: Int?
                var body = ByteBuffer()
                for try await part in inbound {
                    switch part {
                    case .head(let head):
                        status = Int(head.status.code)
                    case .body(var chunk):
                        guard body.readableBytes + chunk.readableBytes <= maximumResponseBytes else {
                            throw Failed(description: "the answer is larger than \(maximumResponseBytes) bytes")
                        }
                        body.writeBuffer(&chunk)
                    case .end:
                        guard let status else { break }
                        return Response(status: status, body: Array(body.readableBytesView))
                    }
                }
                throw Failed(description: "the connection closed before the answer ended")
            }
        } catch let error as Failed where !timedOut.value.load(ordering: .relaxed) {
            throw error
        } catch {
            if timedOut.value.load(ordering: .relaxed) {
                throw Failed(description: "no whole answer within \(timeout.nanoseconds / 1_000_000_000) s")
            }
            throw Failed(description: "\(error)")
        }
    }
}

/// Whether the deadline closed the connection.
private final class Flag: Sendable {
    let value = Atomic<Bool>(false)
}
