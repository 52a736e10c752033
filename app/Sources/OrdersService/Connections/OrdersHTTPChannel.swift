import HTTPTypes
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import NIOHTTP1
import NIOHTTPTypes
import NIOHTTPTypesHTTP1

/// The service's HTTP/1.1 connections: Hummingbird's request loop over a pipeline of the service's own.
///
/// Hummingbird's `HTTP1Channel` builds the pipeline with NIO's paired codec, which drops the body of every
/// response to `CONNECT` (so a refusal could carry neither a body nor a length), decides keep-alive
/// only from an exact `Connection: close`, and answers every parse error with an empty 400. This one
/// adds, between NIO's codec and the conversion to HTTP types:
///
/// 1. ``ConnectionLimitHandler``, which holds the listener to its connection limit;
/// 2. ``HTTP1ConnectionHandler``, HTTP/1.1's connection rules (persistence, HEAD, refused heads).
///
/// Then, as in Hummingbird: the conversion to HTTP types, the idle timeout (which also closes idle
/// connections when the server shuts down), and the asynchronous channel the request loop reads.
struct OrdersHTTPChannel: HTTPChannelHandler {
    /// The request loop's view of the connection.
    typealias Value = NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>

    /// Settings of every connection.
    struct Settings: Sendable {
        /// Idle keep-alive connections close after this.
        var idleTimeout: Duration
        /// The listener's connections and their limit.
        var registry: ConnectionRegistry
        /// Told of every answer ``HTTP1ConnectionHandler`` writes itself.
        var answered: @Sendable (ProtocolErrorAnswer, String) -> Void
        /// The parser's limits on a request head: 16 KiB a header field, 32 KiB for all of them, 100 fields.
        var decoderLimits: NIOHTTPDecoderLimitConfiguration = {
            var limits = NIOHTTPDecoderLimitConfiguration()
            limits.maxHeaderFieldSize = 16 * 1024
            limits.maxHeaderListSize = 32 * 1024
            limits.maxHeaderFieldCount = 100
            return limits
        }()
    }

    /// Hummingbird's responder: routes the request and writes its response.
    let responder: HTTPChannelHandler.Responder
    let settings: Settings

    /// Builds the pipeline of a new connection.
    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        channel.eventLoop.makeCompletedFuture {
            let pipeline = channel.pipeline.syncOperations
            try pipeline.addHandler(HTTPResponseEncoder(configuration: .init()))
            try pipeline.addHandler(
                ByteToMessageHandler(
                    HTTPRequestDecoder(leftOverBytesStrategy: .dropBytes, limitConfiguration: settings.decoderLimits)
                )
            )
            try pipeline.addHandler(ConnectionLimitHandler(registry: settings.registry))
            try pipeline.addHandler(HTTP1ConnectionHandler(answered: settings.answered))
            try pipeline.addHandler(HTTP1ToHTTPServerCodec(secure: false))
            try pipeline.addHandler(HTTPConnectionStateHandler(idleTimeout: settings.idleTimeout, logger: logger))
            return try NIOAsyncChannel(
                wrappingChannelSynchronously: channel,
                configuration: .init(isOutboundHalfClosureEnabled: true)
            )
        }
    }

    /// Runs Hummingbird's request loop on the connection.
    func handle(value asyncChannel: Value, logger: Logger) async {
        await handleHTTP(asyncChannel: asyncChannel, logger: logger)
    }
}

extension HTTPServerBuilder {
    /// A server of ``OrdersHTTPChannel`` connections.
    static func orders(_ settings: OrdersHTTPChannel.Settings) -> HTTPServerBuilder {
        HTTPServerBuilder { responder in
            OrdersHTTPChannel(responder: responder, settings: settings)
        }
    }
}
