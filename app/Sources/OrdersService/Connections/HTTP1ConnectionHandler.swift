import NIOCore
import NIOHTTP1

/// HTTP/1.1's rules for one connection, applied between NIO's HTTP/1 codec and the rest of the server,
/// where the request's version and raw head are still known:
///
/// - **Persistence** (RFC 9112, section 9.3): after each response the connection closes when the request
///   said `close` (in any `Connection` field, whatever else it said), when an HTTP/1.0 request did not ask
///   for `keep-alive`, after `CONNECT`, when the response says `close`, and when the response went out
///   before the request's body was read (a 413, a 401, a 408), since the unread rest would be taken for
///   the next request. The response then carries `Connection: close`; an HTTP/1.0 request that keeps the
///   connection gets `Connection: keep-alive`, without which it would assume the opposite.
/// - **Closing without losing the answer**: the output is shut first and the input read and dropped until
///   the client closes or ``lingerTimeout`` passes. Closing at once while a client is still sending would
///   reset the connection, and a reset can destroy the response before the client reads it.
/// - **HEAD** (RFC 9110, section 9.3.2): the response keeps the headers of the GET it stands for, its
///   `Content-Length` included, and no body bytes are written.
/// - **Heads the parser refuses** and HTTP/1.1 requests without exactly one `Host` get a
///   ``ProtocolErrorAnswer`` from here, once the responses to earlier pipelined requests are out.
/// - **Errors in a body** reach the route reading it, so it can answer 400; a client that went away in
///   the middle of a request (end of input or a reset) gets nothing more written, and a connection that
///   closes before a body's end always surfaces as ``ConnectionClosedDuringRequest``, never as a body
///   that merely looks complete.
final class HTTP1ConnectionHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    /// How long a closing connection keeps reading (and dropping) what the client still sends.
    static let lingerTimeout: TimeAmount = .seconds(2)

    /// A request read from the connection whose response is not finished yet.
    private struct Exchange {
        var persists: Bool
        let isHead: Bool
        let isHTTP10: Bool
        var requestComplete = false
    }

    private enum State {
        /// Reading requests and writing their responses.
        case open
        /// The input cannot be trusted any more: this answer goes out after the responses still owed,
        /// then the connection closes. Input is dropped meanwhile.
        case refusing(ProtocolErrorAnswer)
        /// The last response is out and the output shut; input is dropped until the client closes.
        case closing
        /// The client went away in the middle of a request; nothing more is written.
        case abandoned
    }

    private var exchanges: [Exchange] = []
    private var state = State.open
    private var closeAfterResponse = false
    private var suppressingBody = false
    private var lingerTimer: Scheduled<Void>?
    private let answered: @Sendable (ProtocolErrorAnswer, String) -> Void

    /// Creates the handler; `answered` is told of every ``ProtocolErrorAnswer`` written, with its request id.
    init(answered: @escaping @Sendable (ProtocolErrorAnswer, String) -> Void) {
        self.answered = answered
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .open = state else { return }
        switch unwrapInboundIn(data) {
        case .head(let head):
            let hosts = head.headers["host"].count
            if hosts > 1 || (hosts == 0 && head.version != .http1_0) {
                refuse(context: context, with: .hostField)
                return
            }
            let persists = ConnectionPersistence.persists(
                version: head.version,
                connectionFields: head.headers["connection"]
            )
            exchanges.append(
                Exchange(
                    persists: persists && head.method != .CONNECT,
                    isHead: head.method == .HEAD,
                    isHTTP10: head.version == .http1_0
                )
            )
        case .body:
            break
        case .end:
            if !exchanges.isEmpty { exchanges[exchanges.count - 1].requestComplete = true }
        }
        context.fireChannelRead(data)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard case .open = state else { return }
        if let last = exchanges.indices.last, !exchanges[last].requestComplete {
            // The route reading this body must learn why it stopped; the connection cannot be reused.
            exchanges[last].persists = false
            context.fireErrorCaught(error)
            if Self.meansClientLeft(error) {
                state = .abandoned
                context.close(promise: nil)
            }
            return
        }
        guard let parserError = error as? HTTPParserError else {
            context.fireErrorCaught(error)
            return
        }
        if parserError == .invalidEOFState {
            // Half a request head and then the end of input: nobody is left to answer.
            state = .abandoned
            context.close(promise: nil)
            return
        }
        refuse(context: context, with: ProtocolErrorAnswer(parserError: parserError))
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .abandoned = state {
            promise?.fail(ChannelError.ioOnClosedChannel)
            return
        }
        switch unwrapOutboundIn(data) {
        case .head(var head):
            guard let exchange = exchanges.first, head.status.code >= 200 else {
                context.write(data, promise: promise)
                return
            }
            closeAfterResponse =
                !exchange.persists || !exchange.requestComplete
                || ConnectionPersistence.saysClose(head.headers["connection"])
            if closeAfterResponse {
                head.headers.replaceOrAdd(name: "Connection", value: "close")
            } else if exchange.isHTTP10 {
                head.headers.replaceOrAdd(name: "Connection", value: "keep-alive")
            }
            suppressingBody = exchange.isHead
            context.write(wrapOutboundOut(.head(head)), promise: promise)
        case .body:
            if suppressingBody {
                promise?.succeed(())
            } else {
                context.write(data, promise: promise)
            }
        case .end:
            suppressingBody = false
            if !exchanges.isEmpty { exchanges.removeFirst() }
            if closeAfterResponse {
                context.writeAndFlush(data, promise: promise)
                beginClosing(context: context)
            } else if case .refusing(let answer) = state, exchanges.isEmpty {
                context.write(data, promise: promise)
                write(answer, context: context)
            } else {
                context.write(data, promise: promise)
            }
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case .closing = state, case ChannelEvent.inputClosed = event {
            context.close(promise: nil)
        }
        context.fireUserInboundEventTriggered(event)
    }

    func channelInactive(context: ChannelHandlerContext) {
        lingerTimer?.cancel()
        lingerTimer = nil
        if case .open = state, let last = exchanges.last, !last.requestComplete {
            context.fireErrorCaught(ConnectionClosedDuringRequest())
        }
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        lingerTimer?.cancel()
        lingerTimer = nil
    }

    /// Stops reading requests; `answer` goes out now, or after the responses still owed.
    private func refuse(context: ChannelHandlerContext, with answer: ProtocolErrorAnswer) {
        state = .refusing(answer)
        if exchanges.isEmpty {
            write(answer, context: context)
        }
    }

    private func write(_ answer: ProtocolErrorAnswer, context: ChannelHandlerContext) {
        let requestID = RequestIDMiddleware.generate()
        let (head, body) = answer.responseParts(requestID: requestID)
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        answered(answer, requestID)
        beginClosing(context: context)
    }

    /// Shuts the output (the client reads the response, then the end), drops whatever still arrives, and
    /// closes when the client does or after ``lingerTimeout``.
    private func beginClosing(context: ChannelHandlerContext) {
        if case .closing = state { return }
        state = .closing
        context.close(mode: .output, promise: nil)
        lingerTimer = context.eventLoop.assumeIsolated().scheduleTask(in: Self.lingerTimeout) {
            context.close(promise: nil)
        }
    }

    /// True for the errors a client causes by leaving: the end of input in the middle of a message, or a
    /// reset connection.
    private static func meansClientLeft(_ error: any Error) -> Bool {
        if let parserError = error as? HTTPParserError { return parserError == .invalidEOFState }
        return error is IOError || error is ChannelError
    }
}
