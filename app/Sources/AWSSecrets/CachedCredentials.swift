import Synchronization

/// Credentials fetched once and shared by every call of one ``AWSClient``: the first caller fetches,
/// callers meanwhile wait for the same fetch, and a failed fetch is tried again by the next caller.
final class CachedCredentials: Sendable {
    private let fetch = Mutex<Task<AWSCredentials, any Error>?>(nil)

    /// The credentials, fetched with `load` if no fetch has succeeded or is under way.
    func value(_ load: @escaping @Sendable () async throws -> AWSCredentials) async throws -> AWSCredentials {
        let task = fetch.withLock { current -> Task<AWSCredentials, any Error> in
            if let current { return current }
            let task = Task { try await load() }
            current = task
            return task
        }
        do {
            return try await task.value
        } catch {
            fetch.withLock { if $0 == task { $0 = nil } }
            throw error
        }
    }
}
