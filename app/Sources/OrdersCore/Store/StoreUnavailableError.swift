/// The store cannot answer now (database down, pool exhausted, bound exceeded). The API answers 503 with
/// `Retry-After`; the details go to the log only.
package struct StoreUnavailableError: Error, CustomStringConvertible {
    /// What happened, for the log.
    package var description: String

    /// Creates the error.
    init(_ description: String) {
        self.description = description
    }
}
