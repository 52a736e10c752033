/// Polls `condition` every 20 ms until it holds, and throws, naming `what`, when `limit` passes first: a
/// test waits for the state it needs instead of sleeping a fixed time and hoping.
func waitUntil(_ what: String, within limit: Duration, _ condition: () async throws -> Bool) async throws {
    let deadline = ContinuousClock.now + limit
    while try await !condition() {
        guard ContinuousClock.now < deadline else { throw TestFailure("\(what): not within \(limit)") }
        try await Task.sleep(for: .milliseconds(20))
    }
}
