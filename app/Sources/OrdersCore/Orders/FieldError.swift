/// One rule broken by a request body: where (a JSON pointer, RFC 6901) and what.
package struct FieldError: Sendable, Equatable {
    /// JSON pointer to the offending value; the empty string is the whole body.
    package var pointer: String
    /// What is wrong, in a sentence a client developer can act on.
    package var detail: String

    /// Creates a field error.
    package init(pointer: String, detail: String) {
        self.pointer = pointer
        self.detail = detail
    }
}
