import HTTPTypes
import Hummingbird
import Logging
import Synchronization

/// Gives every request a correlation id and echoes it in `X-Request-Id`.
///
/// The id is the caller's `X-Request-Id`, else the load balancer's `X-Amzn-Trace-Id`, when it is 1 to 128
/// characters from a conservative set; anything else (newlines, control characters, 10 KB of junk) is
/// ignored and a fresh id is made instead (see ``generate()``), so no client can forge log lines through it.
///
/// The id becomes Hummingbird's own request id: Hummingbird keeps it in the logger's metadata under
/// ``loggerMetadataKey`` and reads it back as `context.id`, so every log line of the request, the problem
/// bodies and the response header carry one id. The log handler writes that key as `request_id`.
struct RequestIDMiddleware: RouterMiddleware {
    /// The context this middleware runs with.
    typealias Context = OrdersRequestContext

    /// The response header carrying the id.
    static let header = HTTPField.Name("X-Request-Id")!
    private static let traceHeader = HTTPField.Name("X-Amzn-Trace-Id")!
    /// Longest id accepted from a caller.
    static let maximumLength = 128
    /// Where Hummingbird keeps a request's id: the key of the logger's metadata that `context.id` reads.
    static let loggerMetadataKey = "hb.request.id"

    /// Creates the middleware.
    init() {}

    /// Assigns the id, then calls the rest of the chain.
    func handle(
        _ request: Request,
        context: Context,
        next: (Request, Context) async throws -> Response
    ) async throws
        -> Response
    {
        var context = context
        let id =
            Self.acceptable(request.headers[Self.header]) ?? Self.acceptable(request.headers[Self.traceHeader])
            ?? Self.generate()
        // Replaces the counter Hummingbird assigned, so `context.id` and every log line carry this id.
        context.logger[metadataKey: Self.loggerMetadataKey] = .string(id)
        var response = try await next(request, context)
        response.headers[Self.header] = id
        return response
    }

    /// Returns `value` if it is safe to log and echo.
    static func acceptable(_ value: String?) -> String? {
        guard let value, !value.isEmpty, value.utf8.count <= maximumLength else { return nil }
        let safe = value.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"):
                true
            case UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: ":"), UInt8(ascii: "="),
                UInt8(ascii: ";"), UInt8(ascii: "+"), UInt8(ascii: "/"), UInt8(ascii: "@"):
                true
            default:
                false
            }
        }
        return safe ? value : nil
    }

    /// 32 lower-case hex digits: this process's random 64-bit prefix, then a scrambled 64-bit counter.
    ///
    /// Unique across processes (the prefix) and within one (the counter, through a bijection), at the
    /// cost of an atomic increment: two calls to the system's random source per request cost several
    /// times more, and an id needs to be unique, not secret. The scrambling keeps the ids from telling a
    /// client how many requests an instance has served.
    static func generate() -> String {
        let sequence = generatedCount.wrappingAdd(1, ordering: .relaxed).oldValue
        return String(unsafeUninitializedCapacity: 32) { buffer in
            writeHex(processPrefix, into: buffer, at: 0)
            writeHex(scrambled(sequence), into: buffer, at: 16)
            return 32
        }
    }

    /// SplitMix64's finaliser: a bijection on 64-bit values (each step, an odd multiplication or an
    /// xor with a right shift, can be undone), so distinct counters give distinct results.
    static func scrambled(_ value: UInt64) -> UInt64 {
        var mixed = value &+ 0x9E37_79B9_7F4A_7C15
        mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
        mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
        return mixed ^ (mixed >> 31)
    }

    private static let processPrefix: UInt64 = {
        var generator = SystemRandomNumberGenerator()
        return generator.next()
    }()
    private static let generatedCount = Atomic<UInt64>(0)

    private static func writeHex(_ value: UInt64, into buffer: UnsafeMutableBufferPointer<UInt8>, at offset: Int) {
        let digits: StaticString = "0123456789abcdef"
        for position in 0..<16 {
            let nibble = Int((value >> UInt64(60 - 4 * position)) & 0xF)
            buffer[offset + position] = digits.utf8Start[nibble]
        }
    }
}
