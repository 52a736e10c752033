import OrdersCore

/// The trace header AWS load balancers add to every request, `X-Amzn-Trace-Id`, read as a W3C trace
/// context so that the trace a request starts at the load balancer keeps the load balancer's trace id.
///
/// The header is a list of `Key=Value` fields separated by `;`: `Root=1-5759e988-bd862e3fe1be46a994272793`
/// (version 1, the start time in 8 hex digits, 24 random hex digits), and optionally `Parent=` (16 hex
/// digits, the caller's segment), `Sampled=0|1` and `Self=` (which an Application Load Balancer adds when
/// the header came with the request). The W3C trace id is the Root's 32 hex digits without the dashes, the
/// mapping X-Ray and OpenTelemetry's X-Ray exporter share.
struct AmazonTraceHeader: Equatable, Sendable {
    /// The trace id, 32 lowercase hex digits.
    let traceID: String
    /// The caller's span id, 16 lowercase hex digits, when the header names one.
    let parentID: String?
    /// The caller's sampling decision, when the header carries one.
    let sampled: Bool?

    /// Longest header read; a valid one with every field is under 100 characters.
    static let maximumLength = 256

    /// Parses `value`, or returns nil when it has no well-formed `Root` (or a malformed `Parent`).
    init?(_ value: String) {
        guard value.utf8.count <= Self.maximumLength else { return nil }
        var root: String?
        var parent: String?
        var sampled: Bool?
        for field in value.split(separator: ";") {
            let parts = field.split(separator: "=", maxSplits: 1)
            guard parts.count == 2 else { continue }
            let key = parts[0].trimmingSpaces()
            let fieldValue = parts[1].trimmingSpaces()
            switch key {
            case "Root": root = fieldValue
            case "Parent": parent = fieldValue
            case "Sampled": sampled = fieldValue == "1" ? true : fieldValue == "0" ? false : nil
            default: continue
            }
        }
        guard let root, let traceID = Self.traceID(fromRoot: root) else { return nil }
        if let parent {
            guard Hex.isDigits(parent, count: 16), parent != String(repeating: "0", count: 16) else { return nil }
        }
        self.traceID = traceID
        self.parentID = parent?.lowercased()
        self.sampled = sampled
    }

    /// The W3C `traceparent` that continues this trace.
    ///
    /// A load balancer starts a trace without naming a parent or a decision. The parent id is then the
    /// trace id's last 16 hex digits (W3C requires one; it names no span this service made), and the
    /// decision is the sampler's for a new trace: kept when the trace id's last 16 hex digits, read as a
    /// number, fall within `newTraceRatio` of their range, so every instance decides a trace alike.
    func traceparent(newTraceRatio: Double) -> String {
        let low = String(traceID.suffix(16))
        let parent = parentID ?? (low == String(repeating: "0", count: 16) ? "0000000000000001" : low)
        let keep = sampled ?? Self.keeps(UInt64(low, radix: 16) ?? 0, ratio: newTraceRatio)
        return "00-\(traceID)-\(parent)-\(keep ? "01" : "00")"
    }

    /// Whether a trace whose id ends in `value` is within `ratio` (0 keeps none, 1 keeps all).
    static func keeps(_ value: UInt64, ratio: Double) -> Bool {
        if ratio <= 0 { return false }
        if ratio >= 1 { return true }
        return value < UInt64(ratio * Double(UInt64.max))
    }

    /// `1-XXXXXXXX-YYYYYYYYYYYYYYYYYYYYYYYY` to the 32 hex digits, or nil.
    private static func traceID(fromRoot root: String) -> String? {
        let parts = root.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == "1", Hex.isDigits(parts[1], count: 8), Hex.isDigits(parts[2], count: 24)
        else {
            return nil
        }
        let id = (parts[1] + parts[2]).lowercased()
        return id == String(repeating: "0", count: 32) ? nil : id
    }
}

extension Substring {
    /// The text without leading and trailing spaces.
    fileprivate func trimmingSpaces() -> String {
        String(drop(while: { $0 == " " }).reversed().drop(while: { $0 == " " }).reversed())
    }
}
