/// An AWS API answered with an error, or could not be reached.
package struct AWSServiceError: Error, CustomStringConvertible {
    /// The error's type as AWS names it (`ResourceExistsException`, `AccessDeniedException`), or a name
    /// of this client's for a failure before any answer (`ConnectionFailed`).
    package let type: String
    /// AWS's message, which names the resource and never holds a secret value.
    package let message: String
    /// The HTTP status, 0 when nothing answered.
    package let status: Int

    package var description: String {
        status == 0 ? "\(type): \(message)" : "\(type) (HTTP \(status)): \(message)"
    }
}
