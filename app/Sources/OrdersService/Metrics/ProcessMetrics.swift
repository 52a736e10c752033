import Prometheus
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Process metrics in the standard `process_*` names, read from `/proc/self` each time `/metrics` is
/// scraped (so they cost nothing between scrapes).
final class ProcessMetrics: Sendable {
    private let residentMemory: Gauge
    private let virtualMemory: Gauge
    private let cpuSeconds: Counter
    private let openFileDescriptors: Gauge
    private let maxFileDescriptors: Gauge
    private let startTime: Gauge
    private let reportedCPUSeconds = Mutex<Double>(0)
    private let pageSize = Double(sysconf(Int32(_SC_PAGESIZE)))
    private let clockTicks = Double(sysconf(Int32(_SC_CLK_TCK)))

    /// Registers the process metrics in `registry`.
    init(registry: PrometheusCollectorRegistry) {
        residentMemory = registry.makeGauge(
            descriptor: .named("process_resident_memory_bytes", help: "Resident memory size in bytes.")
        )
        virtualMemory = registry.makeGauge(
            descriptor: .named("process_virtual_memory_bytes", help: "Virtual memory size in bytes.")
        )
        cpuSeconds = registry.makeCounter(
            descriptor: .named("process_cpu_seconds_total", help: "Total user and system CPU time spent in seconds.")
        )
        openFileDescriptors = registry.makeGauge(
            descriptor: .named("process_open_fds", help: "Number of open file descriptors.")
        )
        maxFileDescriptors = registry.makeGauge(
            descriptor: .named("process_max_fds", help: "Maximum number of open file descriptors.")
        )
        startTime = registry.makeGauge(
            descriptor: .named(
                "process_start_time_seconds",
                help: "Start time of the process since unix epoch in seconds."
            )
        )
        startTime.set(Self.startTimeSeconds(clockTicks: clockTicks) ?? 0)
    }

    /// Reads the current values; called before each exposition.
    func update() {
        if let stat = SystemFile.contents(of: "/proc/self/stat"), let fields = Self.statFields(stat) {
            // Fields after the command name, counted from field 3 (state) as index 0.
            let userTicks = Double(fields[11]) ?? 0
            let systemTicks = Double(fields[12]) ?? 0
            let total = (userTicks + systemTicks) / clockTicks
            let delta = reportedCPUSeconds.withLock { reported -> Double in
                let delta = max(0, total - reported)
                reported += delta
                return delta
            }
            if delta > 0 { cpuSeconds.increment(by: delta) }
            virtualMemory.set(Double(fields[20]) ?? 0)
            residentMemory.set((Double(fields[21]) ?? 0) * pageSize)
        }
        openFileDescriptors.set(Double(Self.countOpenFileDescriptors()))
        if let limit = ProcessLimits.openFiles() {
            maxFileDescriptors.set(Double(limit))
        }
    }

    /// The fields of `/proc/self/stat` after the parenthesised command name, which may itself hold spaces.
    static func statFields(_ stat: String) -> [Substring]? {
        guard let close = stat.lastIndex(of: ")") else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        return fields.count > 21 ? fields : nil
    }

    private static func startTimeSeconds(clockTicks: Double) -> Double? {
        guard let stat = SystemFile.contents(of: "/proc/self/stat"), let fields = statFields(stat),
            let startTicks = Double(fields[19]),
            let procStat = SystemFile.contents(of: "/proc/stat"),
            let bootLine = procStat.split(separator: "\n").first(where: { $0.hasPrefix("btime ") }),
            let bootTime = Double(bootLine.dropFirst(6).trimmingPrefix(" "))
        else { return nil }
        return bootTime + startTicks / clockTicks
    }

    private static func countOpenFileDescriptors() -> Int {
        guard let directory = opendir("/proc/self/fd") else { return 0 }
        defer { closedir(directory) }
        var count = 0
        while let entry = readdir(directory) {
            let isDot = withUnsafeBytes(of: entry.pointee.d_name) { $0.first == UInt8(ascii: ".") }
            if !isDot { count += 1 }
        }
        // The directory stream itself holds one descriptor while it is being read.
        return max(0, count - 1)
    }
}
