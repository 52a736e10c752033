import NIOCore
import NIOHTTP1

/// Holds one connection to the ``ConnectionRegistry``'s limit: registers it when it opens (closing it at
/// once when the registry refuses it), tells the registry when it is busy with a request and when it is
/// idle again, and leaves when it closes.
final class ConnectionLimitHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    private let registry: ConnectionRegistry
    private var registered = false
    /// Requests read and not yet answered (more than one when a client pipelines).
    private var outstanding = 0

    /// Creates the handler for one connection.
    init(registry: ConnectionRegistry) {
        self.registry = registry
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { register(context: context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        register(context: context)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .head = unwrapInboundIn(data) {
            outstanding += 1
            if outstanding == 1 { registry.markBusy(context.channel) }
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data), outstanding > 0 {
            outstanding -= 1
            if outstanding == 0 { registry.markIdle(context.channel) }
        }
        context.write(data, promise: promise)
    }

    func channelInactive(context: ChannelHandlerContext) {
        if registered { registry.remove(context.channel) }
        registered = false
        context.fireChannelInactive()
    }

    private func register(context: ChannelHandlerContext) {
        guard !registered else { return }
        registered = true
        if !registry.admit(context.channel) {
            registered = false
            context.close(promise: nil)
        }
    }
}
