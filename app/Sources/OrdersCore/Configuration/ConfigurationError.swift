/// A setting from the environment that the service cannot use.
///
/// Its description is the single line the process prints before it exits: it names the variable and the
/// value and says what would be accepted, with no stack trace.
package struct ConfigurationError: Error, CustomStringConvertible, Equatable {
    /// The environment variable that holds the bad value.
    let variable: String
    /// The value as it was given (secrets are never echoed, see ``SettingsReader``).
    let value: String
    /// What the variable accepts.
    let expectation: String
    /// For settings that are each valid but contradict one another: the whole line, in place of the form
    /// above.
    private var conflict: String?

    /// Creates an error for `variable` holding `value`, which should have been `expectation`.
    package init(variable: String, value: String, expectation: String) {
        self.variable = variable
        self.value = value
        self.expectation = expectation
    }

    /// Settings that contradict each other: `variable` (holding `value`) and `explanation`, one line that
    /// names every setting involved and what to change.
    package static func conflict(variable: String, value: String, explanation: String) -> ConfigurationError {
        var error = ConfigurationError(variable: variable, value: value, expectation: explanation)
        error.conflict = "conflicting settings: " + explanation
        return error
    }

    /// One line: `invalid HTTP_PORT="99999": expected an integer from 1 to 65535`, or for a conflict
    /// `conflicting settings: ...`.
    package var description: String {
        conflict ?? "invalid \(variable)=\"\(Self.printable(value))\": expected \(expectation)"
    }

    /// Keeps a hostile value from breaking the one-line message: control characters are escaped and
    /// long values are cut.
    package static func printable(_ value: String) -> String {
        var result = ""
        for scalar in value.unicodeScalars.prefix(120) {
            if scalar.value < 0x20 || scalar.value == 0x7F {
                result += "\\u{\(String(scalar.value, radix: 16))}"
            } else {
                result.unicodeScalars.append(scalar)
            }
        }
        return value.unicodeScalars.count > 120 ? result + "..." : result
    }
}
