package import Configuration
package import OrdersCore

/// Reads named environment settings through swift-configuration and turns each into a typed value, or a
/// ``ConfigurationError`` that names the variable.
///
/// Values are read as strings and parsed here rather than with the reader's typed accessors, because
/// those fall back to the default on a malformed value, and a typo in production must stop the process.
package struct SettingsReader: Sendable {
    /// The configuration source: the process environment in production, a dictionary in tests.
    let reader: ConfigReader

    /// Creates a reader over `reader`.
    package init(reader: ConfigReader) {
        self.reader = reader
    }

    /// The raw value of `variable` (for example `HTTP_PORT`), or nil when it is unset or empty.
    package func string(_ variable: String, isSecret: Bool = false) -> String? {
        let key = ConfigKey(variable.lowercased().split(separator: "_").map(String.init))
        guard let value = reader.string(forKey: key, isSecret: isSecret), !value.isEmpty else {
            return nil
        }
        return value
    }

    /// An integer in `range`, or `defaultValue` when unset.
    package func integer(
        _ variable: String,
        default defaultValue: Int,
        in range: ClosedRange<Int>
    ) throws(ConfigurationError) -> Int {
        guard let raw = string(variable) else { return defaultValue }
        guard let value = Int(raw), range.contains(value) else {
            throw ConfigurationError(
                variable: variable,
                value: raw,
                expectation: "an integer from \(range.lowerBound) to \(range.upperBound)"
            )
        }
        return value
    }

    /// An integer in `range`, or nil when unset.
    func optionalInteger(_ variable: String, in range: ClosedRange<Int>) throws(ConfigurationError) -> Int? {
        guard string(variable) != nil else { return nil }
        return try integer(variable, default: range.lowerBound, in: range)
    }

    /// A duration given in seconds (decimals allowed, for example `0.5`) within `range`, or `defaultValue`.
    func seconds(
        _ variable: String,
        default defaultValue: Duration,
        in range: ClosedRange<Double>
    ) throws(ConfigurationError) -> Duration {
        guard let raw = string(variable) else { return defaultValue }
        guard let value = Double(raw), value.isFinite, range.contains(value) else {
            throw ConfigurationError(
                variable: variable,
                value: raw,
                expectation:
                    "a number of seconds from \(Self.format(range.lowerBound)) to \(Self.format(range.upperBound))"
            )
        }
        return .milliseconds(Int64((value * 1000).rounded()))
    }

    /// A duration given in whole milliseconds (as OpenTelemetry's variables give theirs) within `range`,
    /// or `defaultValue` when unset.
    func milliseconds(
        _ variable: String,
        default defaultValue: Duration,
        in range: ClosedRange<Int>
    ) throws(ConfigurationError) -> Duration {
        guard string(variable) != nil else { return defaultValue }
        return .milliseconds(try integer(variable, default: range.lowerBound, in: range))
    }

    /// Text of at most `maximumLength` characters that `isAllowed` all accepts, or `defaultValue` when
    /// unset; anything else is refused with `expectation`.
    func text(
        _ variable: String,
        default defaultValue: String,
        maximumLength: Int,
        expectation: String,
        isAllowed: (Character) -> Bool
    ) throws(ConfigurationError) -> String {
        guard let raw = string(variable) else { return defaultValue }
        guard raw.count <= maximumLength, raw.allSatisfy(isAllowed) else {
            throw ConfigurationError(variable: variable, value: raw, expectation: expectation)
        }
        return raw
    }

    /// One of `choices` (compared without case), or `defaultValue`.
    func choice<Value>(
        _ variable: String,
        default defaultValue: Value,
        choices: [(String, Value)]
    ) throws(ConfigurationError) -> Value {
        guard let raw = string(variable) else { return defaultValue }
        guard let match = choices.first(where: { $0.0 == raw.lowercased() }) else {
            throw ConfigurationError(
                variable: variable,
                value: raw,
                expectation: "one of " + choices.map(\.0).joined(separator: ", ")
            )
        }
        return match.1
    }

    private static func format(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(value)
    }
}
