#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The resources this process may use: open files, and memory.
enum ProcessLimits {
    #if canImport(Glibc)
    private static let fileLimitResource = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
    #else
    private static let fileLimitResource = RLIMIT_NOFILE
    #endif

    /// The soft limit on open file descriptors (every connection holds one), or nil when unknown.
    static func openFiles() -> Int? {
        var limit = rlimit()
        guard getrlimit(fileLimitResource, &limit) == 0 else { return nil }
        return limit.rlim_cur > UInt64(Int.max) ? Int.max : Int(limit.rlim_cur)
    }

    /// The memory this process may use, in bytes: the smallest of its control group's limit (version 2,
    /// then version 1) and the machine's memory, or nil when none can be read. In a container with a
    /// memory limit that is the limit; on a Fargate task, whose machine is sized to the task, it is the
    /// machine.
    static func memoryBytes() -> Int? {
        var candidates: [Int] = []
        if let text = SystemFile.contents(of: "/sys/fs/cgroup/memory.max"), let value = Int(trimmed(text)) {
            candidates.append(value)
        }
        if let text = SystemFile.contents(of: "/sys/fs/cgroup/memory/memory.limit_in_bytes"),
            let value = Int(trimmed(text))
        {
            candidates.append(value)
        }
        if let meminfo = SystemFile.contents(of: "/proc/meminfo"),
            let line = meminfo.split(separator: "\n").first(where: { $0.hasPrefix("MemTotal:") }),
            let kibibytes = Int(line.dropFirst("MemTotal:".count).filter(\.isNumber))
        {
            candidates.append(kibibytes * 1024)
        }
        return candidates.min()
    }

    private static func trimmed(_ text: String) -> String {
        text.filter { !$0.isWhitespace }
    }
}
