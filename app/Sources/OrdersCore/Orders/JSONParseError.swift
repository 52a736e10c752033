/// Why a body is not a JSON value this service accepts.
package enum JSONParseError: Error, Equatable {
    /// Not JSON: what was wrong, and the byte offset where reading stopped.
    case malformed(offset: Int, reason: String)
    /// An object names the same member twice; the pointer (RFC 6901) of the second one.
    case duplicateMember(pointer: String)
}
