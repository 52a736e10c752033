import Prometheus

extension MetricNameDescriptor {
    /// A descriptor for the full Prometheus name `name` (its last `_`-separated part is the unit, as
    /// in `process_cpu_seconds_total`), with help text.
    static func named(_ name: String, help: String) -> MetricNameDescriptor {
        guard let separator = name.lastIndex(of: "_") else {
            return MetricNameDescriptor(metricName: name, unitName: "", helpText: help)
        }
        return MetricNameDescriptor(
            metricName: String(name[..<separator]),
            unitName: String(name[name.index(after: separator)...]),
            helpText: help
        )
    }
}
