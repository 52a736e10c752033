import HTTPTypes
import Hummingbird
import NIOCore
import NIOHTTP1
import OrdersCore

/// Reading and checking what a create request sends: its headers, its body, and the body's JSON.
extension OrdersRoutes {
    /// `application/json`, with or without parameters such as `charset=utf-8`; anything else is 415.
    static func requireJSONContentType(_ request: Request) throws {
        let mediaType = request.headers[.contentType]?.split(separator: ";").first
            .map { $0.filter { $0 != " " && $0 != "\t" }.lowercased() }
        guard mediaType == "application/json" else {
            throw Problem(
                .unsupportedMediaType,
                detail: "Send the order as application/json.",
                headers: [.accept: "application/json"]
            )
        }
    }

    /// The `Idempotency-Key`, if any: 1 to 255 visible ASCII characters, sent once.
    static func idempotencyKey(_ request: Request) throws -> String? {
        let values = request.headers[values: idempotencyKeyHeader]
        guard let key = values.first else { return nil }
        guard values.count == 1, (1...255).contains(key.utf8.count), key.utf8.allSatisfy({ $0 >= 0x21 && $0 <= 0x7E })
        else {
            throw Problem(
                .badRequest,
                type: "urn:orders-service:problem:invalid-idempotency-key",
                title: "Invalid Idempotency-Key",
                detail: "Idempotency-Key must be sent once, as 1 to 255 visible ASCII characters."
            )
        }
        return key
    }

    static func tooLarge(_ limit: Int) -> Problem {
        Problem(.contentTooLarge, detail: "The request body is larger than \(limit) bytes.")
    }

    /// The body of a create request, read whole within the body limit.
    ///
    /// A declared `Content-Length` over the limit is refused before a byte is read, including values
    /// from 2^63 to 2^64 - 1 that the HTTP parser accepts but no `Int` holds. While the body is read,
    /// `progress` says so, for the time limit. Reading can end four ways besides success: over the limit
    /// (413); framing the parser refuses, such as a chunk size that is not hex, a chunk longer than
    /// declared or a malformed trailer (400, and the connection closes); the client closing or resetting
    /// the connection (``ClientClosedRequest``: nothing is answered); and the time limit (its own answer).
    func readBody(_ request: Request, progress: RequestBodyProgress) async throws -> ByteBuffer {
        if let declared = request.headers[.contentLength] {
            guard let length = Int(declared), length <= maxBodyBytes else { throw Self.tooLarge(maxBodyBytes) }
        }
        progress.started()
        defer { progress.finished() }
        do {
            return try await request.body.collect(upTo: maxBodyBytes)
        } catch is NIOTooManyBytesError {
            throw Self.tooLarge(maxBodyBytes)
        } catch let error as HTTPParserError where error != .invalidEOFState {
            throw Problem(
                .badRequest,
                type: "urn:orders-service:problem:malformed-body",
                title: "Malformed request body",
                detail: "The body's HTTP framing is invalid (\(error)): check its chunk sizes and trailers.",
                headers: [.connection: "close"]
            )
        } catch is HTTPParserError, is ConnectionClosedDuringRequest, is IOError, is ChannelError {
            throw ClientClosedRequest()
        }
    }

    /// The JSON value of `body`: 400 when it is not JSON, or when an object names a member twice.
    static func parseJSON(_ body: ByteBuffer) throws -> JSONValue {
        do {
            return try JSONParser.parse(Array(body.readableBytesView))
        } catch .duplicateMember(let pointer) {
            throw Problem(
                .badRequest,
                type: "urn:orders-service:problem:duplicate-member",
                title: "Duplicate member name",
                detail:
                    "An object names the same member more than once, which parsers read differently. Send each once.",
                errors: [FieldError(pointer: pointer, detail: "is a member name this object already has")]
            )
        } catch .malformed(let offset, let reason) {
            throw Problem(
                .badRequest,
                type: "urn:orders-service:problem:malformed-json",
                title: "Malformed JSON",
                detail: "The request body is not valid JSON: \(reason) at byte \(offset)."
            )
        }
    }
}
