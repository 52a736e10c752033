/// How many connections one process holds open at most, when `HTTP_MAX_CONNECTIONS` does not say.
///
/// Derived from what the process may use, so a task's size sets it: a quarter of its memory, at a budget
/// per connection of one largest body plus 64 KiB (the header limits, the parser's and the response's
/// buffers). An idle keep-alive connection costs about 26 KB, so the budget covers connections that are
/// all reading bodies at once. It stays below the open-file limit too, with room for the store's
/// connections, the SQLite files and the metrics listener.
///
/// A 1 GiB task with the default 64 KiB body limit gets 2,048 connections; a 2 GiB task 4,096.
enum ConnectionLimit {
    /// The part of the process's memory its connections may take, as a divisor.
    static let memoryDivisor = 4
    /// Bytes budgeted per connection on top of the body limit.
    static let overheadPerConnection = 64 * 1024
    /// Open files kept for everything that is not a client connection.
    static let reservedDescriptors = 64
    /// Fewest connections the derivation gives, however small the process.
    static let minimum = 16

    /// The limit for a process with `memoryBytes` of memory, `openFiles` descriptors and bodies of up to
    /// `maxBodyBytes`; a value that is unknown does not limit.
    static func derived(memoryBytes: Int?, openFiles: Int?, maxBodyBytes: Int) -> Int {
        var limit = Int.max
        if let memoryBytes {
            limit = min(limit, memoryBytes / memoryDivisor / (maxBodyBytes + overheadPerConnection))
        }
        if let openFiles {
            limit = min(limit, openFiles - reservedDescriptors)
        }
        if limit == Int.max {
            // Neither could be read: the figure for a 1 GiB task.
            limit = (1 << 30) / memoryDivisor / (maxBodyBytes + overheadPerConnection)
        }
        return max(minimum, limit)
    }

    /// The limit for this process, from its memory and open-file limit.
    static func forThisProcess(maxBodyBytes: Int) -> Int {
        derived(
            memoryBytes: ProcessLimits.memoryBytes(),
            openFiles: ProcessLimits.openFiles(),
            maxBodyBytes: maxBodyBytes
        )
    }
}
