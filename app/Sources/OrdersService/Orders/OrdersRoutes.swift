import HTTPTypes
import Hummingbird
import NIOCore
import OrdersCore

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// `POST /orders`, `GET /orders/{id}` and `GET /orders`.
struct OrdersRoutes: Sendable {
    let store: any OrderStore
    let maxBodyBytes: Int
    let timeLimit: Duration
    let cursors: CursorKeyProvider

    /// The header that makes a create request safe to retry.
    static let idempotencyKeyHeader = HTTPField.Name("Idempotency-Key")!
    /// Set to `true` on a response that replays the order an earlier request with the same key created.
    static let replayedHeader = HTTPField.Name("Idempotent-Replayed")!
    /// Page size when `limit` is absent, and its bounds.
    static let defaultPageSize = 20
    /// Largest `limit`.
    static let maximumPageSize = 100

    /// Creates the routes over `store`, refusing bodies over `maxBodyBytes`, stopping any request that
    /// takes longer than `timeLimit`, and sealing page cursors with the key `cursors` provides.
    init(store: any OrderStore, maxBodyBytes: Int, timeLimit: Duration, cursors: CursorKeyProvider) {
        self.store = store
        self.maxBodyBytes = maxBodyBytes
        self.timeLimit = timeLimit
        self.cursors = cursors
    }

    /// Adds the routes to `group`, whose context exists only for a verified caller: the group is made with
    /// `group(context: AuthenticatedRequestContext.self)` behind ``APIKeyAuthenticator``.
    func addRoutes(to group: RouterGroup<AuthenticatedRequestContext>) {
        let limit = timeLimit
        group.post { request, context in
            let body = RequestBodyProgress()
            return try await withRequestTimeLimit(until: context.receivedAt + limit, body: body) {
                try await create(request, context: context, body: body)
            }
        }
        group.get { request, context in
            try await withRequestTimeLimit(until: context.receivedAt + limit) {
                try await list(request, context: context)
            }
        }
        group.get("{id}") { request, context in
            try await withRequestTimeLimit(until: context.receivedAt + limit) {
                try await show(request, context: context)
            }
        }
    }

    @Sendable func create(
        _ request: Request,
        context: AuthenticatedRequestContext,
        body progress: RequestBodyProgress
    ) async throws -> Response {
        try Self.requireJSONContentType(request)
        let idempotencyKey = try Self.idempotencyKey(request)
        let json = try Self.parseJSON(try await readBody(request, progress: progress))
        let caller = context.caller
        let draft: OrderDraft
        switch OrderValidator.validate(json, defaultCustomerID: caller.customerID) {
        case .success(let valid): draft = valid
        case .failure(let failure):
            throw Problem(
                .unprocessableContent,
                type: "urn:orders-service:problem:validation-failed",
                title: "The order breaks the API's rules",
                detail: "See errors: each names the offending field with a JSON pointer.",
                errors: failure.errors
            )
        }
        if let customerID = caller.customerID, draft.customerID != customerID {
            throw Problem(
                .forbidden,
                type: "urn:orders-service:problem:other-customer",
                title: "Not your customer",
                detail: "This API key may create orders only for its own customer; leave customer_id out or use yours."
            )
        }
        let claim = idempotencyKey.map {
            IdempotencyClaim(
                scope: caller.idempotencyScope,
                key: $0,
                fingerprint: OrderFingerprint.of(draft)
            )
        }
        let newOrder = NewOrder(
            id: UUID().uuidString.lowercased(),
            draft: draft,
            createdAtMilliseconds: UTCTimestamp.nowMilliseconds()
        )
        switch try await store.create(newOrder, idempotency: claim) {
        case .created(let order):
            return Self.orderResponse(order, status: .created, replayed: false)
        case .replayed(let order):
            return Self.orderResponse(order, status: .created, replayed: true)
        case .keyReused:
            throw Problem(
                .unprocessableContent,
                type: "urn:orders-service:problem:idempotency-key-reused",
                title: "Idempotency key already used",
                detail: "This Idempotency-Key was used with a different request body. Use a new key for a new order."
            )
        }
    }

    @Sendable func show(_ request: Request, context: AuthenticatedRequestContext) async throws -> Response {
        guard let id = context.parameters.get("id").flatMap(OrderID.canonical),
            let order = try await store.order(id: id, customerID: context.caller.customerID)
        else {
            throw Problem(.notFound, detail: "No order with this id.")
        }
        return Self.orderResponse(order, status: .ok, replayed: false)
    }

    @Sendable func list(_ request: Request, context: AuthenticatedRequestContext) async throws -> Response {
        let query = request.uri.queryParameters
        var limit = Self.defaultPageSize
        if let raw = query["limit"] {
            guard let value = Int(String(raw)), (1...Self.maximumPageSize).contains(value) else {
                throw Problem(.badRequest, detail: "limit must be an integer from 1 to \(Self.maximumPageSize).")
            }
            limit = value
        }
        let customerID = context.caller.customerID
        let scope = CursorSealer.scope(customerID: customerID)
        let sealer = try await cursors.current()
        var after: Int64?
        if let raw = query["after"] {
            guard let sequence = sealer.sequence(fromToken: String(raw), scope: scope) else {
                throw Problem(
                    .badRequest,
                    detail: "after must be a cursor this API returned as next, to this customer, unchanged."
                )
            }
            after = sequence
        }
        let fetched = try await store.orders(customerID: customerID, limit: limit + 1, olderThan: after)
        let page = Array(fetched.prefix(limit))
        let next = fetched.count > limit ? page.last.map { sealer.token(sequence: $0.sequence, scope: scope) } : nil
        return Response(
            status: .ok,
            headers: [.contentType: "application/json", .cacheControl: "no-store"],
            body: .init(byteBuffer: ByteBuffer(string: OrderJSON.encodePage(page, next: next)))
        )
    }

    static func orderResponse(_ order: Order, status: HTTPResponse.Status, replayed: Bool) -> Response {
        var headers: HTTPFields = [.contentType: "application/json", .cacheControl: "no-store"]
        if status == .created {
            headers[.location] = "/orders/\(order.id)"
        }
        if replayed {
            headers[replayedHeader] = "true"
        }
        return Response(
            status: status,
            headers: headers,
            body: .init(byteBuffer: ByteBuffer(string: OrderJSON.encode(order)))
        )
    }
}
